//! Weight files in and out, with no Python.
//!
//! Reading: [`WeightFile::open`] takes any file or folder a GPT-SoVITS user has — `torch.save`
//! zips (`.pth`, `.ckpt`, `.bin`, also GPT-SoVITS's version-marker variant), safetensors,
//! HuggingFace folders and CTranslate2 (faster-whisper) folders — and gives tensors as
//! [`RawTensor`]s. Pickles are read by a small interpreter that allows only the opcodes and
//! classes state dicts use ([`pickle`]). [`inspect`] says what a file is.
//!
//! Writing: [`write_sovits_weights`] and [`write_gpt_weights`] produce the files GPT-SoVITS's
//! inference loads; [`write_training_checkpoint`] saves resumable training state. Every write is
//! atomic.
//!
//! With the `torch` feature (on by default), [`StateDict`] materialises tensors on a device and
//! dtype and [`load_into`] copies them into a model's variables, reporting missing, unexpected
//! and mis-shaped parameters.
//!
//! [`tensor`] shows how model code loads weights.

pub mod atomic;
pub mod ct2;
pub mod dtype;
pub mod error;
pub mod export;
pub mod inspect;
pub mod pickle;
pub mod raw;
pub mod safetensors_io;
pub mod source;
#[cfg(feature = "torch")]
pub mod tensor;
pub mod torch_zip;
pub mod training;

pub use atomic::write_atomically;
pub use ct2::{read_ct2_model, Ct2Model};
pub use dtype::Dtype;
pub use error::{Result, WeightsError};
pub use export::{write_gpt_weights, write_sovits_weights, SovitsExport};
pub use inspect::{inspect, Inspection, ModelKind, TRAINED_VERSION};
pub use pickle::{unpickle, PickleValue, TensorRef};
pub use raw::RawTensor;
pub use safetensors_io::{read_safetensors, write_safetensors, TensorInfo};
pub use source::{Container, WeightFile};
#[cfg(feature = "torch")]
pub use tensor::{
    load_into, load_into_tensors, AllowedKeys, FloatDtype, LoadOptions, LoadReport, StateDict,
};
pub use torch_zip::TorchArchive;
pub use training::{
    read_training_checkpoint, write_training_checkpoint, TensorGroup, TrainingCheckpoint,
};
