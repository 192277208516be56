//! Stage kinds, statuses and the stage graph (DESIGN.md "Stages").

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::error::{Error, ErrorCode};

/// The seven stages of a GPT-SoVITS v2 experiment, in pipeline order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum StageKind {
    /// Decode, cut at silences, normalise, 32 kHz mono.
    AudioSlice,
    /// Transcribe every slice.
    Asr,
    /// Phonemes, word2ph, normalised text and BERT features.
    TextFeature,
    /// HuBERT features and 32 kHz training audio.
    HubertFeature,
    /// Semantic codes from the pretrained SoVITS quantiser.
    SemanticToken,
    /// Fine-tune SoVITS (G and D).
    SovitsTrain,
    /// Fine-tune the text-to-semantic GPT.
    GptTrain,
}

impl StageKind {
    /// Every stage kind, in pipeline (topological) order.
    pub const ALL: [StageKind; 7] = [
        Self::AudioSlice,
        Self::Asr,
        Self::TextFeature,
        Self::HubertFeature,
        Self::SemanticToken,
        Self::SovitsTrain,
        Self::GptTrain,
    ];

    /// The wire name, e.g. `"audio_slice"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AudioSlice => "audio_slice",
            Self::Asr => "asr",
            Self::TextFeature => "text_feature",
            Self::HubertFeature => "hubert_feature",
            Self::SemanticToken => "semantic_token",
            Self::SovitsTrain => "sovits_train",
            Self::GptTrain => "gpt_train",
        }
    }

    /// The stages that must be `completed` before this one may run.
    pub fn needs(self) -> &'static [StageKind] {
        match self {
            Self::AudioSlice => &[],
            Self::Asr => &[Self::AudioSlice],
            Self::TextFeature => &[Self::Asr],
            Self::HubertFeature => &[Self::AudioSlice],
            Self::SemanticToken => &[Self::HubertFeature],
            Self::SovitsTrain | Self::GptTrain => &[Self::TextFeature, Self::SemanticToken],
        }
    }

    /// Every stage that depends on this one, directly or through others, in pipeline order.
    pub fn downstream(self) -> Vec<StageKind> {
        let mut reached = vec![self];
        for kind in Self::ALL {
            if kind.needs().iter().any(|need| reached.contains(need)) {
                reached.push(kind);
            }
        }
        reached.retain(|kind| *kind != self);
        reached
    }

    /// Whether the stage needs the device's accelerator to itself. At most one such stage
    /// runs per device at a time; the others wait `queued`.
    pub fn gpu_heavy(self) -> bool {
        // Slicing is plain DSP on the CPU; every other stage runs a neural network.
        !matches!(self, Self::AudioSlice)
    }

    /// A short English label for listings.
    pub fn label(self) -> &'static str {
        match self {
            Self::AudioSlice => "Slice audio",
            Self::Asr => "Transcribe",
            Self::TextFeature => "Text features",
            Self::HubertFeature => "HuBERT features",
            Self::SemanticToken => "Semantic tokens",
            Self::SovitsTrain => "Train SoVITS",
            Self::GptTrain => "Train GPT",
        }
    }
}

impl fmt::Display for StageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StageKind {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = Self::ALL.iter().map(|kind| kind.as_str()).collect();
                Error::new(
                    ErrorCode::InvalidStage,
                    format!("unknown stage '{name}'; known stages: {}", known.join(", ")),
                )
                .with_details(json!({ "stage": name, "known": known }))
            })
    }
}

/// The status of one stage of one experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum StageStatus {
    /// Never run.
    Pending,
    /// Waiting for its device or for a worker to start.
    Queued,
    /// A worker is running it.
    Running,
    /// Finished successfully; its outputs exist.
    Completed,
    /// Ended with an error (including a crash or an interruption).
    Failed,
    /// Stopped on request.
    Cancelled,
    /// It had run, but a stage it depends on ran again since: its outputs are out of date.
    Stale,
}

impl StageStatus {
    /// Every status.
    pub const ALL: [StageStatus; 7] = [
        Self::Pending,
        Self::Queued,
        Self::Running,
        Self::Completed,
        Self::Failed,
        Self::Cancelled,
        Self::Stale,
    ];

    /// The wire name, e.g. `"running"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Stale => "stale",
        }
    }

    /// Whether a run is in progress (`queued` or `running`).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }
}

impl fmt::Display for StageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StageStatus {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == name)
            .ok_or_else(|| Error::internal(format!("unknown stage status '{name}' in database")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downstream_of_audio_slice_is_everything_else() {
        let downstream = StageKind::AudioSlice.downstream();

        assert_eq!(downstream, StageKind::ALL[1..].to_vec());
    }

    #[test]
    fn downstream_of_hubert_skips_the_text_branch() {
        let downstream = StageKind::HubertFeature.downstream();

        assert_eq!(
            downstream,
            vec![
                StageKind::SemanticToken,
                StageKind::SovitsTrain,
                StageKind::GptTrain
            ]
        );
    }

    #[test]
    fn training_stages_have_no_downstream() {
        assert!(StageKind::GptTrain.downstream().is_empty());
        assert!(StageKind::SovitsTrain.downstream().is_empty());
    }

    #[test]
    fn unknown_stage_is_invalid_stage() {
        let err = "train_everything".parse::<StageKind>().unwrap_err();

        assert_eq!(err.code(), "invalid_stage");
        assert!(err.message().contains("train_everything"));
    }
}
