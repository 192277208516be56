//! `audio_slice`: the experiment's recordings cut into 32 kHz mono clips under `slices/`.

use std::path::PathBuf;

use gsv_audio::{slice_recordings, AudioError, SliceEvent, SliceParams, SliceReport};
use gsv_core::params::AudioSliceParams;
use gsv_core::worker::{Progress, StageContext, StageImpl, StageResult};
use gsv_core::{Error, ErrorCode, LogLevel, Result};

/// The folder, under the experiment folder, that holds the clips.
pub const SLICES_DIR: &str = "slices";

/// The `audio_slice` stage.
pub struct AudioSliceStage;

impl StageImpl for AudioSliceStage {
    fn run(&self, ctx: &mut StageContext) -> Result<StageResult> {
        let params = slice_params(&ctx.params::<AudioSliceParams>()?)?;
        let sources: Vec<PathBuf> = ctx.job().sources.iter().map(PathBuf::from).collect();
        let out_dir = ctx.experiment_dir().join(SLICES_DIR);
        let ctx = &*ctx;

        let report = slice_recordings(
            &sources,
            &out_dir,
            &params,
            &|| ctx.is_cancelled(),
            &|event| report_event(ctx, event),
        )
        .map_err(engine_error)?;

        summarise(ctx, report)
    }
}

/// The engine's typed parameters, as the audio crate takes them.
fn slice_params(params: &AudioSliceParams) -> Result<SliceParams> {
    if params.threshold.fract() != 0.0 {
        return Err(Error::invalid_field(
            "threshold",
            "must be a whole number of dB",
        ));
    }
    Ok(SliceParams {
        threshold: params.threshold as i32,
        min_length: params.min_length,
        min_interval: params.min_interval,
        hop_size: params.hop_size,
        max_sil_kept: params.max_sil_kept,
        max: params.max,
        alpha: params.alpha,
    })
}

fn report_event(ctx: &StageContext, event: SliceEvent) {
    match event {
        SliceEvent::Started { files_total } => {
            ctx.log(LogLevel::Info, format!("slicing {files_total} recordings"));
            ctx.progress(Progress {
                step: 0,
                total: Some(files_total as u64),
                ..Progress::default()
            });
        }
        SliceEvent::FileFinished {
            source,
            clips,
            files_done,
            files_total,
        } => {
            ctx.log(
                LogLevel::Info,
                format!("{}: {clips} clips", source.display()),
            );
            ctx.progress(Progress {
                step: files_done as u64,
                total: Some(files_total as u64),
                ..Progress::default()
            });
            ctx.metric("clips", clips as f64, files_done as u64, None);
        }
        SliceEvent::FileSkipped {
            skipped,
            files_done,
            files_total,
        } => {
            ctx.log(
                LogLevel::Warn,
                format!("skipped {}: {}", skipped.path.display(), skipped.reason),
            );
            ctx.progress(Progress {
                step: files_done as u64,
                total: Some(files_total as u64),
                ..Progress::default()
            });
        }
        SliceEvent::FileStarted { .. } | SliceEvent::ClipWritten { .. } => {}
    }
}

fn summarise(ctx: &StageContext, report: SliceReport) -> Result<StageResult> {
    if let Some(message) = &report.message {
        ctx.log(LogLevel::Info, message.clone());
    }

    let experiment_dir = ctx.experiment_dir();
    let artifacts = report
        .clips
        .iter()
        .map(|clip| {
            let relative = clip.path.strip_prefix(experiment_dir).unwrap_or(&clip.path);
            relative.to_string_lossy().into_owned()
        })
        .collect();

    let summary = serde_json::to_value(&report)
        .map_err(|err| Error::internal(format!("the slice report does not serialise: {err}")))?;
    Ok(StageResult { summary, artifacts })
}

/// An audio error as the engine reports it: the audio crate's code becomes the engine code the
/// UI branches on, and the message (which names the file) is kept.
pub fn engine_error(error: AudioError) -> Error {
    let code = match error.code() {
        "cancelled" => return Error::cancelled(),
        "invalid_params" => ErrorCode::InvalidParams,
        "io" => ErrorCode::Io,
        "not_found" => ErrorCode::NotFound,
        "no_audio_device" => ErrorCode::NoAudioDevice,
        "decode" | "unsupported_format" | "too_short" | "no_usable_audio" => {
            ErrorCode::InvalidInput
        }
        _ => ErrorCode::Internal,
    };
    Error::new(code, error.to_string())
        .with_details(serde_json::json!({ "audio_code": error.code() }))
}
