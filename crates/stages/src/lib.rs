//! The stage implementations the product has, registered for worker mode. The app and the `gsv`
//! CLI both start their workers through [`registry`], so they run the same stages.

mod audio_slice;

use gsv_core::worker::StageRegistry;
use gsv_core::StageKind;

pub use audio_slice::{engine_error as audio_engine_error, AudioSliceStage};

/// Every implemented stage. A stage missing here fails with `not_implemented` when run.
pub fn registry() -> StageRegistry {
    let mut registry = StageRegistry::new();
    registry.register(StageKind::AudioSlice, AudioSliceStage);
    registry
}
