//! Playback of clips and generated audio through the default output device (cpal).
//!
//! The cpal stream lives on a thread of its own (it cannot move between threads), which reports
//! whether the device opened before `play` returns, then sends position events until the audio
//! ends or `stop` is called.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex, RwLock};
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
    /// Samples at the device rate, filled by the playback thread before the stream starts.
    samples: RwLock<Vec<f32>>,
    /// Set once `samples` is complete. Some backends (ALSA) run the callback before `play`;
    /// until then it must only send silence.
    ready: AtomicBool,
    frames_played: AtomicU64,
    failure: Mutex<Option<String>>,
}

/// Input samples resampled per step; the playback thread checks `stop` between steps.
const FEED_BLOCK: usize = 1 << 15;

fn run_playback(
    samples: Vec<f32>,
    sample_rate: u32,
    stop: Arc<AtomicBool>,
    opened: SyncSender<Result<()>>,
    on_event: EventSink,
) {
    let shared = Arc::new(Shared {
        samples: RwLock::new(Vec::new()),
        ready: AtomicBool::new(false),
        frames_played: AtomicU64::new(0),
        failure: Mutex::new(None),
    });
    let (stream, device_rate) = match open_stream(&shared) {
        Ok(opened_stream) => opened_stream,
        Err(err) => {
            let _ = opened.send(Err(err));
            return;
        }
    };
    let _ = opened.send(Ok(()));

    // Everything is resampled before the stream starts: a device that is not paced (ALSA's
    // null device) would otherwise run ahead of the resampler and leave gaps.
    let duration_s = samples.len() as f64 / f64::from(sample_rate);
    on_event(PlaybackEvent::Started { duration_s });
    if let Err(end) = feed_all(samples, sample_rate, device_rate, &shared, &stop) {
        drop(stream);
        on_event(end);
        return;
    }
    shared.ready.store(true, Ordering::SeqCst);
    if let Err(err) = stream.play() {
        drop(stream);
        on_event(PlaybackEvent::Failed {
            reason: err.to_string(),
        });
        return;
    }

    let end = watch_playback(&shared, &stop, device_rate, duration_s, &on_event);
    drop(stream);
    on_event(end);
}

/// Resamples the whole sound into the shared buffer, a block at a time so that `stop` is
/// honoured quickly; the error is the event that ends the playback early.
fn feed_all(
    samples: Vec<f32>,
    from: u32,
    to: u32,
    shared: &Shared,
    stop: &AtomicBool,
) -> std::result::Result<(), PlaybackEvent> {
    let failed = |reason| PlaybackEvent::Failed { reason };
    let mut feeder = Feeder::new(samples, from, to).map_err(failed)?;
    loop {
        if stop.load(Ordering::SeqCst) {
            return Err(PlaybackEvent::Stopped);
        }
        if feeder.feed_block(shared).map_err(failed)? {
            return Ok(());
        }
    }
}

/// Reports positions until the playback ends one way or another.
fn watch_playback(
    shared: &Shared,
    stop: &AtomicBool,
    device_rate: u32,
    duration_s: f64,
    on_event: &EventSink,
) -> PlaybackEvent {
    let total = shared
        .samples
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .len() as u64;
    loop {
        std::thread::sleep(POSITION_INTERVAL);
        let played = shared.frames_played.load(Ordering::SeqCst).min(total);
        let position_s = (played as f64 / f64::from(device_rate)).min(duration_s);
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
            return PlaybackEvent::Failed { reason };
        }
        if stop.load(Ordering::SeqCst) {
            return PlaybackEvent::Stopped;
        }
        if played >= total {
            return PlaybackEvent::Finished;
        }
    }
}

/// Resamples the sound to the device rate a block at a time into the shared buffer.
struct Feeder {
    samples: Vec<f32>,
    next: usize,
    resampler: StreamResampler,
}

impl Feeder {
    fn new(samples: Vec<f32>, from: u32, to: u32) -> std::result::Result<Self, String> {
        Ok(Feeder {
            samples,
            next: 0,
            resampler: StreamResampler::new(from, to)?,
        })
    }

    /// Appends one more block; returns `true` once everything is in.
    fn feed_block(&mut self, shared: &Shared) -> std::result::Result<bool, String> {
        let mut append = |block: &[f32]| {
            shared
                .samples
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .extend_from_slice(block);
            Ok(())
        };
        let end = (self.next + FEED_BLOCK).min(self.samples.len());
        self.resampler
            .push(&self.samples[self.next..end], &mut append)?;
        self.next = end;
        if self.next < self.samples.len() {
            return Ok(false);
        }
        self.resampler.finish(&mut append)?;
        Ok(true)
    }
}

fn no_device(reason: impl std::fmt::Display) -> AudioError {
    AudioError::NoAudioDevice {
        reason: reason.to_string(),
    }
}

/// Opens the default output device at its default configuration and builds a stream that plays
/// the shared buffer; the caller starts it once the buffer is filled.
fn open_stream(shared: &Arc<Shared>) -> Result<(cpal::Stream, u32)> {
    let host = cpal::default_host();
    let device = host
        .default_output_device()
        .ok_or_else(|| no_device("no output device"))?;
    let supported = device.default_output_config().map_err(no_device)?;
    let format = supported.sample_format();
    let config: cpal::StreamConfig = supported.into();
    let device_rate = config.sample_rate.0;

    let stream = match format {
        cpal::SampleFormat::F32 => build_stream::<f32>(&device, &config, shared),
        cpal::SampleFormat::I16 => build_stream::<i16>(&device, &config, shared),
        cpal::SampleFormat::U16 => build_stream::<u16>(&device, &config, shared),
        cpal::SampleFormat::I32 => build_stream::<i32>(&device, &config, shared),
        cpal::SampleFormat::F64 => build_stream::<f64>(&device, &config, shared),
        cpal::SampleFormat::U8 => build_stream::<u8>(&device, &config, shared),
        other => {
            return Err(no_device(format!(
                "unsupported device sample format {other}"
            )))
        }
    }?;
    Ok((stream, device_rate))
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
        let silence = T::from_sample(0.0f32);
        if !data_shared.ready.load(Ordering::SeqCst) {
            output.fill(silence);
            return;
        }
        // Never wait in the audio callback; once ready, nothing writes the buffer any more.
        let Ok(samples) = data_shared.samples.try_read() else {
            output.fill(silence);
            return;
        };
        let mut frame_index = data_shared.frames_played.load(Ordering::SeqCst) as usize;
        for frame in output.chunks_mut(channels) {
            match samples.get(frame_index) {
                Some(&value) => {
                    frame.fill(T::from_sample(value));
                    frame_index += 1;
                }
                None => frame.fill(silence),
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn player_can_live_in_shared_app_state() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<Player>();
    }

    #[test]
    fn zero_sample_rate_is_refused() {
        let err = Player::new()
            .play_samples(vec![0.0; 10], 0, |_| {})
            .unwrap_err();
        assert_eq!(err.code(), "invalid_params");
    }
}
