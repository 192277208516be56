//! The GPT-SoVITS v2 models as tch modules, and what libtorch and the devices can do.

pub mod device;

pub use device::{torch_report, ComputeDevice, CudaDevice, TorchReport};
