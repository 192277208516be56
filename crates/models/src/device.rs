//! What libtorch was linked, and which devices it can compute on.

use serde::Serialize;

/// The version of the libtorch this binary was built against, as its build script found it.
pub const LIBTORCH_VERSION: &str = env!("GSV_LIBTORCH_VERSION");

/// One NVIDIA GPU as libtorch and the driver see it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CudaDevice {
    /// The CUDA device index, as in `cuda:0`.
    pub index: usize,
    /// The product name reported by the driver, when the driver's management library answers.
    pub name: Option<String>,
    /// Total memory in bytes, when known.
    pub total_memory_bytes: Option<u64>,
    /// Free memory in bytes at the time of the report, when known.
    pub free_memory_bytes: Option<u64>,
}

/// What the linked libtorch can do on this machine.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TorchReport {
    /// The libtorch version the binary was built against.
    pub libtorch_version: String,
    /// Whether libtorch itself carries CUDA support (`libtorch_cuda` is loaded).
    pub cuda_built: bool,
    /// Whether a CUDA device can be used now.
    pub cuda_available: bool,
    /// Whether cuDNN can be used now.
    pub cudnn_available: bool,
    /// The CUDA devices, empty on a machine without one.
    pub cuda_devices: Vec<CudaDevice>,
    /// The number of threads libtorch uses on the CPU.
    pub cpu_threads: i32,
}

/// A device a stage can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComputeDevice {
    /// The CPU.
    Cpu,
    /// The CUDA device with this index.
    Cuda(usize),
}

impl ComputeDevice {
    /// The tch device for this choice.
    pub fn to_tch(self) -> tch::Device {
        match self {
            ComputeDevice::Cpu => tch::Device::Cpu,
            ComputeDevice::Cuda(index) => tch::Device::Cuda(index),
        }
    }
}

/// Asks libtorch (and, for names and memory, the NVIDIA driver) what this machine offers.
pub fn torch_report() -> TorchReport {
    let cuda_available = tch::Cuda::is_available();
    let device_count = if cuda_available {
        tch::Cuda::device_count().max(0) as usize
    } else {
        0
    };

    TorchReport {
        libtorch_version: LIBTORCH_VERSION.to_string(),
        cuda_built: LIBTORCH_VERSION.contains("+cu") || cuda_available,
        cuda_available,
        cudnn_available: tch::Cuda::cudnn_is_available(),
        cuda_devices: (0..device_count).map(describe_cuda_device).collect(),
        cpu_threads: tch::get_num_threads(),
    }
}

/// Names and memory come from NVML: libtorch's C API does not expose device properties.
fn describe_cuda_device(index: usize) -> CudaDevice {
    let mut device = CudaDevice {
        index,
        name: None,
        total_memory_bytes: None,
        free_memory_bytes: None,
    };

    let nvml = match nvml_wrapper::Nvml::init() {
        Ok(nvml) => nvml,
        Err(error) => {
            log::warn!("NVML is not available, GPU names and memory are unknown: {error}");
            return device;
        }
    };

    // Limitation: NVML numbers GPUs in PCI order and CUDA in speed order unless
    // CUDA_DEVICE_ORDER=PCI_BUS_ID; on a machine with mixed GPUs the names may be swapped.
    if let Ok(gpu) = nvml.device_by_index(index as u32) {
        device.name = gpu.name().ok();
        if let Ok(memory) = gpu.memory_info() {
            device.total_memory_bytes = Some(memory.total);
            device.free_memory_bytes = Some(memory.free);
        }
    }
    device
}
