//! Streaming decode of any supported file to mono `f32`, optionally resampled.
//!
//! What the reference does (`tools/my_utils.py: load_audio`) is
//! `ffmpeg -f f32le -acodec pcm_f32le -ac 1 -ar 32000`. Integer PCM becomes `x / 2^(bits-1)`
//! (symphonia converts the same way), stereo becomes `(L + R) / sqrt(2)` (see
//! [`STEREO_TO_MONO_GAIN`]) and surround layouts use swresample's weights, so 32 kHz PCM decodes
//! bit-exactly; other rates go through ffmpeg's own resampler, which rubato can only
//! approximate.

use std::fs::File;
use std::path::Path;

use rubato::{
    Resampler, SincFixedIn, SincInterpolationParameters, SincInterpolationType, WindowFunction,
};
use serde::Serialize;
use symphonia::core::audio::{AudioBuffer, AudioBufferRef, Channels, Signal};
use symphonia::core::codecs::{CodecType, Decoder, DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::conv::FromSample;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::{FormatOptions, FormatReader, Track};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;
use symphonia::core::sample::Sample;

use crate::error::{AudioError, Result};

/// What the container says about a file's audio track.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceInfo {
    /// Codec name, such as `pcm_s16le`, `mp3`, `vorbis`.
    pub codec: String,
    /// Sample rate of the track in Hz.
    pub sample_rate: u32,
    /// Number of channels.
    pub channels: usize,
    /// Number of frames (samples per channel), when the container states it.
    pub frames: Option<u64>,
}

/// An opened file: its container reader, its audio track's decoder and what they say.
pub(crate) struct OpenedAudio {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn Decoder>,
    track_id: u32,
    pub(crate) info: SourceInfo,
    /// Packets that failed to decode and were skipped.
    damaged_packets: u64,
}

/// Opens a file and finds its first audio track, without decoding anything.
pub(crate) fn open_audio(path: &Path) -> Result<OpenedAudio> {
    let (format, track) = open_container(path)?;
    let decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &DecoderOptions::default())
        .map_err(|err| unsupported_codec(path, track.codec_params.codec, err))?;
    let info = source_info(path, &track)?;
    Ok(OpenedAudio {
        format,
        decoder,
        track_id: track.id,
        info,
        damaged_packets: 0,
    })
}

/// Opens the container only; enough to learn the codec, rate and length.
pub(crate) fn open_container(path: &Path) -> Result<(Box<dyn FormatReader>, Track)> {
    let file = File::open(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => AudioError::NotFound {
            path: path.to_path_buf(),
        },
        _ => AudioError::io(path, err),
    })?;
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(extension) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(extension);
    }
    // Gapless trimming drops the encoder delay and padding of MP3/AAC as ffmpeg does.
    let format_options = FormatOptions {
        enable_gapless: true,
        ..Default::default()
    };
    let probed = symphonia::default::get_probe()
        .format(&hint, stream, &format_options, &MetadataOptions::default())
        .map_err(|err| container_error(path, err))?;

    let track = probed
        .format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .cloned()
        .ok_or_else(|| AudioError::unsupported(path, "the file has no audio track"))?;
    Ok((probed.format, track))
}

pub(crate) fn source_info(path: &Path, track: &Track) -> Result<SourceInfo> {
    let params = &track.codec_params;
    let sample_rate = params
        .sample_rate
        .filter(|&rate| rate > 0)
        .ok_or_else(|| AudioError::decode(path, "the audio track has no sample rate"))?;
    Ok(SourceInfo {
        codec: codec_name(params.codec),
        sample_rate,
        channels: params.channels.map(|c| c.count()).unwrap_or(0),
        frames: params.n_frames,
    })
}

pub(crate) fn codec_name(codec: CodecType) -> String {
    symphonia::default::get_codecs()
        .get_codec(codec)
        .map(|descriptor| descriptor.short_name.to_string())
        .unwrap_or_else(|| {
            if codec == OPUS_CODEC {
                "opus".into()
            } else {
                format!("{codec}")
            }
        })
}

/// Symphonia knows the Opus codec id but ships no decoder for it.
const OPUS_CODEC: CodecType = symphonia::core::codecs::CODEC_TYPE_OPUS;

fn unsupported_codec(path: &Path, codec: CodecType, err: SymphoniaError) -> AudioError {
    if codec == OPUS_CODEC {
        // Limitation: symphonia (0.5 and 0.6) has no Opus decoder, and the project uses only
        // pure-Rust decoders, so Opus files are reported and skipped.
        return AudioError::unsupported(path, "Opus audio cannot be decoded (no Opus decoder)");
    }
    AudioError::unsupported(path, format!("codec {}: {err}", codec_name(codec)))
}

fn container_error(path: &Path, err: SymphoniaError) -> AudioError {
    match err {
        SymphoniaError::Unsupported(what) => {
            AudioError::unsupported(path, format!("not a recognised audio file ({what})"))
        }
        SymphoniaError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            AudioError::decode(path, "the file ends before its header does")
        }
        SymphoniaError::IoError(io) => AudioError::io(path, io),
        other => AudioError::decode(path, format!("bad header: {other}")),
    }
}

impl OpenedAudio {
    /// Decodes the next packet of the audio track and appends its mono downmix to `mono`.
    /// Returns `false` at the end of the stream.
    pub(crate) fn next_mono_block(&mut self, path: &Path, mono: &mut Vec<f32>) -> Result<bool> {
        loop {
            let packet = match self.format.next_packet() {
                Ok(packet) => packet,
                Err(SymphoniaError::IoError(io))
                    if io.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    return Ok(false)
                }
                Err(SymphoniaError::ResetRequired) => return Ok(false),
                Err(err) => return Err(AudioError::decode(path, err.to_string())),
            };
            if packet.track_id() != self.track_id {
                continue;
            }

            match self.decoder.decode(&packet) {
                Ok(decoded) => {
                    downmix_planar_into(&decoded, mono);
                    return Ok(true);
                }
                // A damaged packet is skipped, as ffmpeg skips it with a warning.
                Err(SymphoniaError::DecodeError(_)) => {
                    self.damaged_packets += 1;
                    continue;
                }
                Err(err) => return Err(AudioError::decode(path, err.to_string())),
            }
        }
    }
}

/// ffmpeg's stereo-to-mono coefficient: both channels are mixed into the centre at -3 dB, and
/// swresample does not normalise the matrix when the output is float (the reference asks for
/// `f32le`), so mono is `0.70710677 * L + 0.70710677 * R` in float32, not the mean.
const STEREO_TO_MONO_GAIN: f32 = std::f32::consts::FRAC_1_SQRT_2;

/// Appends the mono downmix of a decoded packet, converting each sample to `f32` as symphonia
/// does (`x / 2^(bits-1)` for integers), straight from the decoder's planar buffer.
fn downmix_planar_into(decoded: &AudioBufferRef<'_>, mono: &mut Vec<f32>) {
    match decoded {
        AudioBufferRef::U8(buffer) => downmix_channels(buffer, mono),
        AudioBufferRef::U16(buffer) => downmix_channels(buffer, mono),
        AudioBufferRef::U24(buffer) => downmix_channels(buffer, mono),
        AudioBufferRef::U32(buffer) => downmix_channels(buffer, mono),
        AudioBufferRef::S8(buffer) => downmix_channels(buffer, mono),
        AudioBufferRef::S16(buffer) => downmix_channels(buffer, mono),
        AudioBufferRef::S24(buffer) => downmix_channels(buffer, mono),
        AudioBufferRef::S32(buffer) => downmix_channels(buffer, mono),
        AudioBufferRef::F32(buffer) => downmix_channels(buffer, mono),
        AudioBufferRef::F64(buffer) => downmix_channels(buffer, mono),
    }
}

/// The downmix of `ffmpeg -ac 1` to float: mono passes through, stereo is
/// `(L + R) / sqrt(2)`, and the usual surround layouts use swresample's weights (see
/// [`ffmpeg_mono_weight`]).
///
/// Limitation: layouts with channels outside that table (wide, high or top speakers) are
/// averaged instead.
fn downmix_channels<S>(buffer: &AudioBuffer<S>, mono: &mut Vec<f32>)
where
    S: Sample,
    f32: FromSample<S>,
{
    let channels = buffer.spec().channels.count();
    let convert = |sample: &S| f32::from_sample(*sample);
    match channels {
        0 => {}
        1 => mono.extend(buffer.chan(0).iter().map(convert)),
        2 => {
            let pairs = buffer.chan(0).iter().zip(buffer.chan(1));
            mono.extend(pairs.map(|(left, right)| mix_stereo(convert(left), convert(right))));
        }
        _ => {
            let layout = buffer.spec().channels;
            let weights: Option<Vec<f32>> = layout.iter().map(ffmpeg_mono_weight).collect();
            let weights = weights.filter(|w| w.len() == channels);
            let start = mono.len();
            mono.resize(start + buffer.frames(), 0.0);
            for channel in 0..channels {
                let weight = weights.as_ref().map_or(1.0, |w| w[channel]);
                for (sum, sample) in mono[start..].iter_mut().zip(buffer.chan(channel)) {
                    *sum += weight * convert(sample);
                }
            }
            if weights.is_none() {
                let count = channels as f32;
                mono[start..].iter_mut().for_each(|sum| *sum /= count);
            }
        }
    }
}

/// The weight swresample gives a channel when it mixes to mono (measured against ffmpeg for
/// 2.1, quad, 4.0, 5.1, 5.1(side) and 7.1): front left and right at -3 dB, centre at 0 dB,
/// back and side channels at -6 dB (-3 dB into the fronts, then -3 dB into the centre), LFE
/// left out. `None` for channels outside that table.
fn ffmpeg_mono_weight(channel: Channels) -> Option<f32> {
    const FRONT_PAIR: Channels = Channels::FRONT_LEFT.union(Channels::FRONT_RIGHT);
    const LFE: Channels = Channels::LFE1.union(Channels::LFE2);
    const SURROUND: Channels = Channels::REAR_LEFT
        .union(Channels::REAR_RIGHT)
        .union(Channels::REAR_CENTRE)
        .union(Channels::SIDE_LEFT)
        .union(Channels::SIDE_RIGHT);
    if FRONT_PAIR.contains(channel) {
        Some(STEREO_TO_MONO_GAIN)
    } else if channel == Channels::FRONT_CENTRE {
        Some(1.0)
    } else if LFE.contains(channel) {
        Some(0.0)
    } else if SURROUND.contains(channel) {
        Some(0.5)
    } else {
        None
    }
}

fn mix_stereo(left: f32, right: f32) -> f32 {
    STEREO_TO_MONO_GAIN * left + STEREO_TO_MONO_GAIN * right
}

/// How a decode went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecodeSummary {
    /// What the file holds.
    pub source: SourceInfo,
    /// Rate of the delivered samples.
    pub output_rate: u32,
    /// Number of delivered samples.
    pub output_samples: u64,
}

/// Decodes `path` to mono and hands the samples to `on_block` in order, resampled to
/// `target_rate` when one is given. Checks `is_cancelled` after every packet.
pub fn decode_mono(
    path: &Path,
    target_rate: Option<u32>,
    is_cancelled: &dyn Fn() -> bool,
    on_block: &mut dyn FnMut(&[f32]) -> Result<()>,
) -> Result<DecodeSummary> {
    let mut audio = open_audio(path)?;
    let source = audio.info.clone();
    let output_rate = target_rate.unwrap_or(source.sample_rate);
    let mut resampler = StreamResampler::new(source.sample_rate, output_rate)
        .map_err(|reason| AudioError::decode(path, reason))?;
    let mut mono = Vec::new();
    let mut output_samples = 0u64;
    let mut emit = |block: &[f32]| {
        output_samples += block.len() as u64;
        on_block(block)
    };

    while audio.next_mono_block(path, &mut mono)? {
        if is_cancelled() {
            return Err(AudioError::Cancelled);
        }
        resampler
            .push(&mono, &mut emit)
            .map_err(|reason| AudioError::decode(path, reason))?;
        mono.clear();
    }
    if audio.damaged_packets > 0 {
        log::warn!(
            "{}: skipped {} damaged packet(s) while decoding",
            path.display(),
            audio.damaged_packets
        );
    }
    resampler
        .finish(&mut emit)
        .map_err(|reason| AudioError::decode(path, reason))?;

    if output_samples == 0 {
        return Err(AudioError::decode(
            path,
            "no audio samples could be decoded",
        ));
    }
    Ok(DecodeSummary {
        source,
        output_rate,
        output_samples,
    })
}

/// Decodes a whole file to mono at `target_rate` (or its own rate) in memory. For short audio:
/// clips, previews, tests.
pub fn decode_mono_to_vec(path: &Path, target_rate: Option<u32>) -> Result<(Vec<f32>, u32)> {
    let mut samples = Vec::new();
    let summary = decode_mono(path, target_rate, &|| false, &mut |block| {
        samples.extend_from_slice(block);
        Ok(())
    })?;
    Ok((samples, summary.output_rate))
}

/// Input frames per resampler call.
const RESAMPLER_CHUNK: usize = 4096;

/// A mono resampler fed with blocks of any size, whose output is aligned with its input and has `round(input * out / in)` samples in all.
pub(crate) struct StreamResampler {
    inner: Option<SincFixedIn<f32>>,
    input_rate: u32,
    output_rate: u32,
    pending: Vec<f32>,
    input_seen: u64,
    aligned: AlignedOutput,
}

/// Drops the outputs that precede the aligned start and caps the output at the expected length.
struct AlignedOutput {
    skip_left: usize,
    emitted: u64,
}

impl StreamResampler {
    pub(crate) fn new(input_rate: u32, output_rate: u32) -> std::result::Result<Self, String> {
        if input_rate == output_rate {
            return Ok(StreamResampler {
                inner: None,
                input_rate,
                output_rate,
                pending: Vec::new(),
                input_seen: 0,
                aligned: AlignedOutput {
                    skip_left: 0,
                    emitted: 0,
                },
            });
        }

        let offset = measure_input_offset(input_rate, output_rate)?;
        let (lead_zeros, skip_outputs) = alignment_for(input_rate, output_rate, offset);
        Ok(StreamResampler {
            inner: Some(build_sinc(input_rate, output_rate)?),
            input_rate,
            output_rate,
            pending: vec![0.0; lead_zeros],
            input_seen: 0,
            aligned: AlignedOutput {
                skip_left: skip_outputs,
                emitted: 0,
            },
        })
    }

    pub(crate) fn push(
        &mut self,
        input: &[f32],
        emit: &mut dyn FnMut(&[f32]) -> Result<()>,
    ) -> std::result::Result<(), String> {
        self.input_seen += input.len() as u64;
        let Some(inner) = self.inner.as_mut() else {
            self.aligned.emitted += input.len() as u64;
            return emit(input).map_err(|e| e.to_string());
        };

        self.pending.extend_from_slice(input);
        let mut consumed = 0;
        while self.pending.len() - consumed >= RESAMPLER_CHUNK {
            let chunk = &self.pending[consumed..consumed + RESAMPLER_CHUNK];
            let output = inner.process(&[chunk], None).map_err(|e| e.to_string())?;
            consumed += RESAMPLER_CHUNK;
            self.aligned.emit(&output[0], u64::MAX, emit)?;
        }
        self.pending.drain(..consumed);
        Ok(())
    }

    pub(crate) fn finish(
        &mut self,
        emit: &mut dyn FnMut(&[f32]) -> Result<()>,
    ) -> std::result::Result<(), String> {
        let expected = self.expected_output();
        let Some(inner) = self.inner.as_mut() else {
            return Ok(());
        };

        let pending = std::mem::take(&mut self.pending);
        let output = inner
            .process_partial(Some(&[&pending[..]]), None)
            .map_err(|e| e.to_string())?;
        self.aligned.emit(&output[0], expected, emit)?;
        // Zeros flush the filter's tail until every expected sample is out.
        while self.aligned.emitted < expected {
            let output = inner
                .process_partial::<&[f32]>(None, None)
                .map_err(|e| e.to_string())?;
            self.aligned.emit(&output[0], expected, emit)?;
        }
        Ok(())
    }

    fn expected_output(&self) -> u64 {
        let numerator = u128::from(self.input_seen) * u128::from(self.output_rate);
        let input_rate = u128::from(self.input_rate);
        ((numerator + input_rate / 2) / input_rate) as u64
    }
}

impl AlignedOutput {
    fn emit(
        &mut self,
        output: &[f32],
        limit: u64,
        emit: &mut dyn FnMut(&[f32]) -> Result<()>,
    ) -> std::result::Result<(), String> {
        let skip = self.skip_left.min(output.len());
        self.skip_left -= skip;
        let room = limit.saturating_sub(self.emitted).min(usize::MAX as u64) as usize;
        let usable = &output[skip..][..(output.len() - skip).min(room)];
        if usable.is_empty() {
            return Ok(());
        }
        self.emitted += usable.len() as u64;
        emit(usable).map_err(|e| e.to_string())
    }
}

/// A sinc resampler whose filter is exact at every output position when the rates have a
/// small common grid (44.1 kHz to 32 kHz needs 320 phases, 48 kHz to 32 kHz needs 2), so silence
/// stays exactly zero and no interpolation error is added.
fn build_sinc(input_rate: u32, output_rate: u32) -> std::result::Result<SincFixedIn<f32>, String> {
    let phases = (output_rate / gcd(input_rate, output_rate)) as usize;
    let (interpolation, oversampling_factor) = if phases <= 1024 {
        (SincInterpolationType::Nearest, phases.max(1))
    } else {
        (SincInterpolationType::Cubic, 256)
    };
    // ffmpeg's default swresample filter is short (32 taps a side) with a cutoff at 0.97 of
    // Nyquist, so it keeps more of the top octave than a long filter would. These values were
    // chosen to come closest to ffmpeg's output on the golden stereo 44.1 kHz case (sample RMS
    // difference 1e-3 for a signal RMS of 0.17); longer or steeper filters drift further away.
    let parameters = SincInterpolationParameters {
        sinc_len: 64,
        f_cutoff: 0.98,
        interpolation,
        oversampling_factor,
        window: WindowFunction::Blackman2,
    };
    let ratio = f64::from(output_rate) / f64::from(input_rate);
    SincFixedIn::new(ratio, 1.0, parameters, RESAMPLER_CHUNK, 1).map_err(|e| e.to_string())
}

/// Where, in input samples, output sample 0 of a fresh resampler lies. Ideally 0 (ffmpeg's
/// first output sample is the first input sample); rubato's `SincFixedIn` is off by a fraction
/// of a sample that depends on the rates, so it is measured once with a smooth pulse: the
/// pulse's centre of mass in the output tells where the output grid sits.
fn measure_input_offset(input_rate: u32, output_rate: u32) -> std::result::Result<f64, String> {
    let mut resampler = build_sinc(input_rate, output_rate)?;
    let centre = RESAMPLER_CHUNK as f64;
    let width = 8.0;
    let pulse: Vec<f32> = (0..3 * RESAMPLER_CHUNK)
        .map(|i| (-((i as f64 - centre) / width).powi(2)).exp() as f32)
        .collect();
    let mut output = Vec::new();
    for chunk in pulse.chunks(RESAMPLER_CHUNK) {
        output.extend(
            resampler
                .process(&[chunk], None)
                .map_err(|e| e.to_string())?
                .remove(0),
        );
    }

    let weighted: f64 = output
        .iter()
        .enumerate()
        .map(|(k, &v)| k as f64 * f64::from(v))
        .sum();
    let total: f64 = output.iter().map(|&v| f64::from(v)).sum();
    let input_per_output = f64::from(input_rate) / f64::from(output_rate);
    Ok(centre - weighted / total * input_per_output)
}

/// Zeros to put before the input and outputs to drop so that output sample 0 falls on input
/// sample 0: with `n` outputs dropped and `m` zeros added the grid moves by
/// `n * in / out - m` input samples. For rational rates (44.1 kHz to 32 kHz repeats every 320
/// outputs) some `n` brings the error under a thousandth of a sample.
fn alignment_for(input_rate: u32, output_rate: u32, offset: f64) -> (usize, usize) {
    let input_per_output = f64::from(input_rate) / f64::from(output_rate);
    let period = (output_rate / gcd(input_rate, output_rate)).min(2048) as usize;
    let mut best = (0usize, 0usize, f64::MAX);
    for skip in 0..=period {
        let shift = skip as f64 * input_per_output + offset;
        let zeros = shift.round();
        let error = (shift - zeros).abs();
        if zeros >= 0.0 && error < best.2 - 1e-9 {
            best = (zeros as usize, skip, error);
        }
    }
    (best.0, best.1)
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planar(channels: &[&[f32]]) -> AudioBuffer<f32> {
        use symphonia::core::audio::{Channels, SignalSpec};
        let layout = [
            Channels::FRONT_LEFT,
            Channels::FRONT_RIGHT,
            Channels::FRONT_CENTRE,
        ];
        let mask = layout[..channels.len()]
            .iter()
            .fold(Channels::empty(), |m, &c| m | c);
        let frames = channels[0].len();
        let mut buffer = AudioBuffer::new(frames as u64, SignalSpec::new(32_000, mask));
        buffer.render_reserved(Some(frames));
        for (index, values) in channels.iter().enumerate() {
            buffer.chan_mut(index).copy_from_slice(values);
        }
        buffer
    }

    #[test]
    fn stereo_and_surround_downmix_use_ffmpegs_weights() {
        let mut mono = Vec::new();
        downmix_channels(&planar(&[&[0.5, -1.0], &[0.25, 1.0]]), &mut mono);
        assert_eq!(
            mono,
            vec![0.5 * STEREO_TO_MONO_GAIN + 0.25 * STEREO_TO_MONO_GAIN, 0.0]
        );
        mono.clear();
        // Front left, front right, centre.
        downmix_channels(
            &planar(&[&[0.5, 1.0], &[0.25, 1.0], &[0.0, 1.0]]),
            &mut mono,
        );
        let front = STEREO_TO_MONO_GAIN;
        assert_eq!(mono, vec![front * 0.5 + front * 0.25, front + front + 1.0]);
    }

    fn resample_all(input: &[f32], from: u32, to: u32, block: usize) -> Vec<f32> {
        let mut resampler = StreamResampler::new(from, to).unwrap();
        let mut output = Vec::new();
        let mut emit = |b: &[f32]| {
            output.extend_from_slice(b);
            Ok(())
        };
        for piece in input.chunks(block) {
            resampler.push(piece, &mut emit).unwrap();
        }
        resampler.finish(&mut emit).unwrap();
        output
    }

    /// Centre of mass of a pulse, in samples.
    fn centroid(signal: &[f32]) -> f64 {
        let weighted: f64 = signal
            .iter()
            .enumerate()
            .map(|(k, &v)| k as f64 * f64::from(v))
            .sum();
        weighted / signal.iter().map(|&v| f64::from(v)).sum::<f64>()
    }

    #[test]
    fn resampling_keeps_length_alignment_and_silence() {
        for input_rate in [48_000u32, 44_100, 22_050, 16_000] {
            // A smooth pulse half way through one second, in digital silence.
            let middle = 0.5 * input_rate as f32;
            let width = input_rate as f32 / 2000.0;
            let input: Vec<f32> = (0..input_rate as usize)
                .map(|i| (-((i as f32 - middle) / width).powi(2)).exp())
                .map(|v| if v < 1e-30 { 0.0 } else { v })
                .collect();
            let output = resample_all(&input, input_rate, 32_000, 1000);
            assert_eq!(output.len(), 32_000);
            let offset = centroid(&output) - 16_000.0;
            assert!(
                offset.abs() < 1.0,
                "{input_rate} Hz: pulse moved by {offset} samples"
            );
            assert!(
                output[..15_000].iter().all(|&s| s == 0.0),
                "silence must stay exactly zero"
            );
        }
    }

    #[test]
    fn same_rate_passes_samples_through() {
        let input: Vec<f32> = (0..5000).map(|i| i as f32).collect();
        assert_eq!(resample_all(&input, 32_000, 32_000, 777), input);
    }
}
