//! Holds the decoded 32 kHz samples that a clip may still need: the samples since the last
//! decided cut. They stay in memory while they are few; if a recording goes on for a very long
//! time without a cut (over about 17 minutes), they go to a temporary file beside the output, so
//! even two hours of uninterrupted sound never sit in memory whole.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{AudioError, Result};

/// Samples kept in memory before spilling to disk: 2^25 samples, 128 MiB, about 17 minutes at
/// 32 kHz.
pub(crate) const DEFAULT_MEMORY_LIMIT: usize = 1 << 25;

/// Samples read back from disk per step.
const READ_BLOCK: usize = 1 << 16;

/// Samples released at the front of the in-memory buffer before it is compacted.
const COMPACT_AFTER: usize = 1 << 20;

pub(crate) struct SampleSpool {
    /// Samples from `base` on (in memory mode).
    memory: Vec<f32>,
    /// Signal index of `memory[0]`, or of the first sample of the spill file.
    base: usize,
    /// Signal index before which samples are no longer needed.
    released: usize,
    memory_limit: usize,
    spill_path: PathBuf,
    spill: Option<BufWriter<File>>,
    len: usize,
}

impl SampleSpool {
    /// An empty spool that spills to `spill_path` (created only if needed, removed on drop).
    pub(crate) fn new(memory_limit: usize, spill_path: PathBuf) -> Self {
        SampleSpool {
            memory: Vec::new(),
            base: 0,
            released: 0,
            memory_limit,
            spill_path,
            spill: None,
            len: 0,
        }
    }

    /// Lets go of every sample before signal index `index`: in memory they are dropped (in
    /// batches, to keep the copying rare); a spill file keeps them, as it only grows.
    pub(crate) fn release_before(&mut self, index: usize) {
        self.released = self.released.max(index.min(self.len));
        let releasable = self.released - self.base;
        if self.spill.is_none() && releasable >= COMPACT_AFTER.max(self.memory.len() / 2) {
            self.memory.drain(..releasable);
            self.base = self.released;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn push(&mut self, samples: &[f32]) -> Result<()> {
        self.len += samples.len();
        if self.spill.is_none() && self.memory.len() + samples.len() <= self.memory_limit {
            self.memory.extend_from_slice(samples);
            return Ok(());
        }

        if self.spill.is_none() && self.released > self.base {
            self.release_now();
        }
        if self.spill.is_none() && self.memory.len() + samples.len() <= self.memory_limit {
            self.memory.extend_from_slice(samples);
            return Ok(());
        }

        if self.spill.is_none() {
            self.start_spilling()?;
        }
        let writer = self.spill.as_mut().expect("spill file is open");
        write_f32(writer, samples).map_err(|e| AudioError::io(&self.spill_path, e))
    }

    fn release_now(&mut self) {
        self.memory.drain(..self.released - self.base);
        self.base = self.released;
    }

    fn start_spilling(&mut self) -> Result<()> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&self.spill_path)
            .map_err(|e| AudioError::io(&self.spill_path, e))?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        write_f32(&mut writer, &self.memory).map_err(|e| AudioError::io(&self.spill_path, e))?;
        self.memory = Vec::new();
        self.spill = Some(writer);
        Ok(())
    }

    /// Calls `on_block` with the samples of `range` (signal indices, not released), in order,
    /// in blocks.
    pub(crate) fn read_range(
        &mut self,
        range: std::ops::Range<usize>,
        on_block: &mut dyn FnMut(&[f32]) -> Result<()>,
    ) -> Result<()> {
        debug_assert!(range.start >= self.base && range.end <= self.len);
        let local = range.start - self.base..range.end - self.base;
        let Some(writer) = self.spill.as_mut() else {
            return self.memory[local].chunks(READ_BLOCK).try_for_each(on_block);
        };

        let path = &self.spill_path;
        writer.flush().map_err(|e| AudioError::io(path, e))?;
        let mut file = File::open(path).map_err(|e| AudioError::io(path, e))?;
        file.seek(SeekFrom::Start(local.start as u64 * 4))
            .map_err(|e| AudioError::io(path, e))?;
        read_f32_blocks(&mut file, local.len(), on_block, path)
    }
}

fn read_f32_blocks(
    file: &mut File,
    mut remaining: usize,
    on_block: &mut dyn FnMut(&[f32]) -> Result<()>,
    path: &Path,
) -> Result<()> {
    let mut bytes = vec![0u8; READ_BLOCK * 4];
    let mut samples = Vec::with_capacity(READ_BLOCK);
    while remaining > 0 {
        let count = remaining.min(READ_BLOCK);
        file.read_exact(&mut bytes[..count * 4])
            .map_err(|e| AudioError::io(path, e))?;
        samples.clear();
        samples.extend(
            bytes[..count * 4]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
        on_block(&samples)?;
        remaining -= count;
    }
    Ok(())
}

/// Writes samples as little-endian `f32`, a bounded piece at a time so that moving the in-memory
/// part to disk does not need a second copy of it.
fn write_f32(writer: &mut impl Write, samples: &[f32]) -> std::io::Result<()> {
    let mut bytes = Vec::with_capacity(READ_BLOCK.min(samples.len()) * 4);
    for piece in samples.chunks(READ_BLOCK) {
        bytes.clear();
        for sample in piece {
            bytes.extend_from_slice(&sample.to_le_bytes());
        }
        writer.write_all(&bytes)?;
    }
    Ok(())
}

impl Drop for SampleSpool {
    fn drop(&mut self) {
        if self.spill.take().is_some() {
            // Best effort: a leftover spill file is harmless, and drop cannot report.
            let _ = std::fs::remove_file(&self.spill_path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(spool: &mut SampleSpool, range: std::ops::Range<usize>) -> Vec<f32> {
        let mut out = Vec::new();
        spool
            .read_range(range, &mut |b| {
                out.extend_from_slice(b);
                Ok(())
            })
            .unwrap();
        out
    }

    #[test]
    fn spilled_and_in_memory_spools_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let signal: Vec<f32> = (0..200_000).map(|i| (i as f32).sin()).collect();
        let mut small = SampleSpool::new(1000, dir.path().join("spill.f32"));
        let mut large = SampleSpool::new(usize::MAX, dir.path().join("never.f32"));
        for block in signal.chunks(4321) {
            small.push(block).unwrap();
            large.push(block).unwrap();
        }
        assert!(dir.path().join("spill.f32").exists());
        assert_eq!(
            collect(&mut small, 70_001..150_003),
            signal[70_001..150_003]
        );
        assert_eq!(collect(&mut large, 0..200_000), signal);
        drop(small);
        assert!(!dir.path().join("spill.f32").exists());
    }

    #[test]
    fn released_samples_make_room_and_later_ones_stay_readable() {
        let dir = tempfile::tempdir().unwrap();
        let signal: Vec<f32> = (0..3_000_000).map(|i| (i % 1000) as f32).collect();
        let mut spool = SampleSpool::new(2_000_000, dir.path().join("spill.f32"));
        for (index, block) in signal.chunks(10_000).enumerate() {
            spool.push(block).unwrap();
            spool.release_before((index * 10_000).saturating_sub(50_000));
        }
        assert!(
            !dir.path().join("spill.f32").exists(),
            "released samples must not spill"
        );
        assert_eq!(
            collect(&mut spool, 2_960_000..3_000_000),
            signal[2_960_000..3_000_000]
        );
        assert_eq!(spool.len(), 3_000_000);
    }
}
