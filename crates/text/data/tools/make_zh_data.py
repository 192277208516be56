"""Rebuild the zh data files of gsv-text from their published sources.

Usage: python3 make_zh_data.py PYPINYIN_DIR JIEBA_DIR GPT_SOVITS_TEXT_DIR OUT_DIR

PYPINYIN_DIR: the unpacked wheel pypinyin==0.55.0 (folder holding pinyin_dict.json)
JIEBA_DIR: the unpacked sdist jieba==0.42.1 (folder holding dict.txt and posseg/)
GPT_SOVITS_TEXT_DIR: GPT_SoVITS/text of RVC-Boss/GPT-SoVITS at 48b1a01
"""

import ast
import gzip
import json
import os
import re
import shutil
import sys


def first_readings(pinyin_dir, out_dir):
    # lazy_pinyin without heteronyms only ever uses the first reading, so only that is kept.
    chars = json.load(open(os.path.join(pinyin_dir, "pinyin_dict.json"), encoding="utf8"))
    with open(os.path.join(out_dir, "pinyin_chars.txt"), "w", encoding="utf8") as out:
        for code in sorted(chars, key=int):
            out.write("%s\t%s\n" % (chr(int(code)), chars[code].split(",")[0]))
    phrases = json.load(open(os.path.join(pinyin_dir, "phrases_dict.json"), encoding="utf8"))
    with open(os.path.join(out_dir, "pinyin_phrases.txt"), "w", encoding="utf8") as out:
        for phrase in sorted(phrases):
            out.write("%s\t%s\n" % (phrase, " ".join(r[0] for r in phrases[phrase])))


def literal(path, name):
    source = open(path, encoding="utf8").read()
    node = ast.parse(source)
    for stmt in ast.walk(node):
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    return ast.literal_eval(stmt.value)
    raise KeyError(name)


def posseg_hmm(jieba_dir, out_dir):
    posseg = os.path.join(jieba_dir, "posseg")
    start = literal(os.path.join(posseg, "prob_start.py"), "P")
    trans = literal(os.path.join(posseg, "prob_trans.py"), "P")
    emit = literal(os.path.join(posseg, "prob_emit.py"), "P")
    states = literal(os.path.join(posseg, "char_state_tab.py"), "P")
    with open(os.path.join(out_dir, "posseg_hmm.txt"), "w", encoding="utf8") as out:
        for (bmes, tag), p in sorted(start.items()):
            out.write("S\t%s%s\t%r\n" % (bmes, tag, p))
        for (bmes, tag), nexts in sorted(trans.items()):
            for (b2, t2), p in sorted(nexts.items()):
                out.write("T\t%s%s\t%s%s\t%r\n" % (bmes, tag, b2, t2, p))
        for (bmes, tag), chars in sorted(emit.items()):
            for ch, p in sorted(chars.items()):
                out.write("E\t%s%s\t%s\t%r\n" % (bmes, tag, ch, p))
        for ch, allowed in sorted(states.items()):
            out.write("C\t%s\t%s\n" % (ch, " ".join(b + t for b, t in allowed)))


def sandhi_words(text_dir, out_dir):
    source = open(os.path.join(text_dir, "tone_sandhi.py"), encoding="utf8").read()
    with open(os.path.join(out_dir, "neutral_tone_words.txt"), "w", encoding="utf8") as out:
        for name, mark in (("must_neural_tone_words", "+"), ("must_not_neural_tone_words", "-")):
            match = re.search(r"self\." + name + r"\s*=\s*(\{.*?\})", source, re.S)
            for word in sorted(ast.literal_eval(match.group(1))):
                out.write("%s\t%s\n" % (mark, word))


def trad_to_simp(text_dir, out_dir):
    path = os.path.join(text_dir, "zh_normalization", "char_convert.py")
    simplified = literal(path, "simplified_charcters")
    traditional = literal(path, "traditional_characters")
    # Later pairs override earlier ones, as in the reference's dict; identity pairs are dropped.
    mapping = {}
    for t, s in zip(traditional, simplified):
        mapping[t] = s
    with open(os.path.join(out_dir, "trad_to_simp.txt"), "w", encoding="utf8") as out:
        for t, s in mapping.items():
            if t != s:
                out.write("%s\t%s\n" % (t, s))


def main():
    pinyin_dir, jieba_dir, text_dir, out_dir = sys.argv[1:5]
    first_readings(pinyin_dir, out_dir)
    posseg_hmm(jieba_dir, out_dir)
    sandhi_words(text_dir, out_dir)
    trad_to_simp(text_dir, out_dir)
    shutil.copy(os.path.join(jieba_dir, "dict.txt"), os.path.join(out_dir, "jieba_dict.txt"))
    shutil.copy(os.path.join(text_dir, "opencpop-strict.txt"), out_dir)
    compress(out_dir, ["jieba_dict.txt", "posseg_hmm.txt", "pinyin_chars.txt", "pinyin_phrases.txt"])


def compress(out_dir, names):
    # The large lists ship gzip-compressed (no name or time stamp, so rebuilds are identical).
    for name in names:
        path = os.path.join(out_dir, name)
        with open(path, "rb") as raw, open(path + ".gz", "wb") as packed:
            packed.write(gzip.compress(raw.read(), compresslevel=9, mtime=0))
        os.remove(path)


if __name__ == "__main__":
    main()
