//! Playback of clips and generated audio through the default output device (cpal).
//!
//! The cpal stream lives on a thread of its own (it cannot move between threads), which reports
//! whether the device opened before `play` returns, then sends position events until the audio
//! ends or `stop` is called.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SizedSample};
use serde::Serialize;

use crate::decode::{decode_mono_to_vec, StreamResampler};
use crate::error::{AudioError, Result};

/// How long `play` waits for the device to open before giving up with `no_audio_device`.
const OPEN_TIMEOUT: Duration = Duration::from_secs(5);

/// How often position events are sent.
const POSITION_INTERVAL: Duration = Duration::from_millis(50);

/// What a playback reports, in order: `Started`, `Position`s, then one of `Finished`,
/// `Stopped`, `Failed`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PlaybackEvent {
    /// The device opened and sound is being sent to it.
    Started {
        /// Length of the audio in seconds.
        duration_s: f64,
    },
    /// Where playback is.
    Position {
        /// Seconds played.
        position_s: f64,
        /// Length of the audio in seconds.
        duration_s: f64,
    },
    /// The whole audio was played.
    Finished,
    /// [`Player::stop`] (or a new `play`) ended it.
    Stopped,
    /// The output stream failed after it started.
    Failed {
        /// What the audio backend said.
        reason: String,
    },
}

type EventSink = Box<dyn Fn(PlaybackEvent) + Send + 'static>;

struct Playback {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

/// Plays one sound at a time on the default output device.
#[derive(Default)]
pub struct Player {
    current: Mutex<Option<Playback>>,
}

impl Player {
    /// A player with nothing playing; no device is opened until [`Player::play_samples`].
    pub fn new() -> Self {
        Player::default()
    }

    /// Decodes a file (any supported format, downmixed to mono) and plays it.
    pub fn play_file(
        &self,
        path: &Path,
        on_event: impl Fn(PlaybackEvent) + Send + 'static,
    ) -> Result<()> {
        let (samples, sample_rate) = decode_mono_to_vec(path, None)?;
        self.play_samples(samples, sample_rate, on_event)
    }

    /// Plays mono samples at `sample_rate`, stopping whatever was playing. Returns once the device
    /// is open and playing, or with a `no_audio_device` error when there is no usable output.
    pub fn play_samples(
        &self,
        samples: Vec<f32>,
        sample_rate: u32,
        on_event: impl Fn(PlaybackEvent) + Send + 'static,
    ) -> Result<()> {
        if sample_rate == 0 {
            return Err(AudioError::invalid("sample_rate", "must be > 0"));
        }
        self.stop();

        let stop = Arc::new(AtomicBool::new(false));
        let (opened_tx, opened_rx) = sync_channel(1);
        let thread_stop = Arc::clone(&stop);
        let sink: EventSink = Box::new(on_event);
        let thread = std::thread::Builder::new()
            .name("gsv-playback".into())
            .spawn(move || run_playback(samples, sample_rate, thread_stop, opened_tx, sink))
            .map_err(|e| AudioError::Playback {
                reason: format!("cannot start thread: {e}"),
            })?;

        match opened_rx.recv_timeout(OPEN_TIMEOUT) {
            Ok(Ok(())) => {
                *self.current.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(Playback { stop, thread });
                Ok(())
            }
            Ok(Err(err)) => {
                let _ = thread.join();
                Err(err)
            }
            Err(RecvTimeoutError::Timeout) => {
                // The thread is left to finish on its own; it stops as soon as it can.
                stop.store(true, Ordering::SeqCst);
                Err(AudioError::NoAudioDevice {
                    reason: format!("the output device did not open within {OPEN_TIMEOUT:?}"),
                })
            }
            Err(RecvTimeoutError::Disconnected) => {
                let _ = thread.join();
                Err(AudioError::Playback {
                    reason: "the playback thread ended early".into(),
                })
            }
        }
    }

    /// Stops the current playback, if any, and waits until its stream is closed.
    pub fn stop(&self) {
        let current = self
            .current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(playback) = current {
            playback.stop.store(true, Ordering::SeqCst);
            let _ = playback.thread.join();
        }
    }

    /// Whether a playback is still running.
    pub fn is_playing(&self) -> bool {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        current.as_ref().is_some_and(|p| !p.thread.is_finished())
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        self.stop();
    }
}

/// State shared between the device callback and the playback thread.
struct Shared {
    samples: Vec<f32>,
    frames_played: AtomicU64,
    failure: Mutex<Option<String>>,
}

fn run_playback(
    samples: Vec<f32>,
    sample_rate: u32,
    stop: Arc<AtomicBool>,
    opened: SyncSender<Result<()>>,
    on_event: EventSink,
) {
    let (stream, shared, device_rate) = match open_stream(samples, sample_rate) {
        Ok(opened_stream) => opened_stream,
        Err(err) => {
            let _ = opened.send(Err(err));
            return;
        }
    };
    let _ = opened.send(Ok(()));

    let total = shared.samples.len() as u64;
    let duration_s = total as f64 / f64::from(device_rate);
    on_event(PlaybackEvent::Started { duration_s });
    let end = loop {
        std::thread::sleep(POSITION_INTERVAL);
        let played = shared.frames_played.load(Ordering::SeqCst).min(total);
        let position_s = played as f64 / f64::from(device_rate);
        on_event(PlaybackEvent::Position {
            position_s,
            duration_s,
        });
        if let Some(reason) = shared
            .failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            break PlaybackEvent::Failed { reason };
        }
        if stop.load(Ordering::SeqCst) {
            break PlaybackEvent::Stopped;
        }
        if played >= total {
            break PlaybackEvent::Finished;
        }
    };
    drop(stream);
    on_event(end);
}

fn no_device(reason: impl std::fmt::Display) -> AudioError {
    AudioError::NoAudioDevice {
        reason: reason.to_string(),
    }
}

/// Opens the default output device at its default configuration, with the samples resampled
/// to its rate, and starts the stream.
fn open_stream(samples: Vec<f32>, sample_rate: u32) -> Result<(cpal::Stream, Arc<Shared>, u32)> {
    let host = cpal::default_host();
    let device = host
        .default_output_device()
        .ok_or_else(|| no_device("no output device"))?;
    let supported = device.default_output_config().map_err(no_device)?;
    let format = supported.sample_format();
    let config: cpal::StreamConfig = supported.into();
    let device_rate = config.sample_rate.0;

    let samples = resample_for_device(samples, sample_rate, device_rate)?;
    let shared = Arc::new(Shared {
        samples,
        frames_played: AtomicU64::new(0),
        failure: Mutex::new(None),
    });
    let stream = match format {
        cpal::SampleFormat::F32 => build_stream::<f32>(&device, &config, &shared),
        cpal::SampleFormat::I16 => build_stream::<i16>(&device, &config, &shared),
        cpal::SampleFormat::U16 => build_stream::<u16>(&device, &config, &shared),
        cpal::SampleFormat::I32 => build_stream::<i32>(&device, &config, &shared),
        cpal::SampleFormat::F64 => build_stream::<f64>(&device, &config, &shared),
        cpal::SampleFormat::U8 => build_stream::<u8>(&device, &config, &shared),
        other => {
            return Err(no_device(format!(
                "unsupported device sample format {other}"
            )))
        }
    }?;
    stream.play().map_err(no_device)?;
    Ok((stream, shared, device_rate))
}

fn resample_for_device(samples: Vec<f32>, from: u32, to: u32) -> Result<Vec<f32>> {
    if from == to {
        return Ok(samples);
    }
    let mut resampler =
        StreamResampler::new(from, to).map_err(|reason| AudioError::Playback { reason })?;
    let mut output = Vec::with_capacity(samples.len() * to as usize / from as usize + 1);
    let mut collect = |block: &[f32]| {
        output.extend_from_slice(block);
        Ok(())
    };
    let to_error = |reason| AudioError::Playback { reason };
    resampler.push(&samples, &mut collect).map_err(to_error)?;
    resampler.finish(&mut collect).map_err(to_error)?;
    Ok(output)
}

fn build_stream<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    shared: &Arc<Shared>,
) -> Result<cpal::Stream>
where
    T: SizedSample + FromSample<f32>,
{
    let channels = usize::from(config.channels.max(1));
    let data_shared = Arc::clone(shared);
    let error_shared = Arc::clone(shared);
    let write_frames = move |output: &mut [T], _: &cpal::OutputCallbackInfo| {
        let start = data_shared.frames_played.load(Ordering::SeqCst) as usize;
        let mut frame_index = start;
        for frame in output.chunks_mut(channels) {
            let value = data_shared.samples.get(frame_index).copied().unwrap_or(0.0);
            frame.fill(T::from_sample(value));
            frame_index += 1;
        }
        data_shared
            .frames_played
            .store(frame_index as u64, Ordering::SeqCst);
    };
    let on_error = move |err: cpal::StreamError| {
        *error_shared
            .failure
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(err.to_string());
    };
    device
        .build_output_stream(config, write_frames, on_error, None)
        .map_err(no_device)
}
