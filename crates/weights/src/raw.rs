//! Tensors as plain bytes, before any libtorch is involved.

use half::{bf16, f16};

use crate::dtype::Dtype;
use crate::pickle::contiguous_strides;

/// A contiguous, row-major, little-endian tensor held as bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct RawTensor {
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

impl RawTensor {
    /// Wraps `data`, or explains why its length does not match `shape` and `dtype`.
    pub fn new(dtype: Dtype, shape: Vec<usize>, data: Vec<u8>) -> Result<Self, String> {
        let expected = element_count(&shape)
            .and_then(|count| count.checked_mul(dtype.size()))
            .ok_or_else(|| format!("shape {shape:?} is too large"))?;
        if expected != data.len() {
            return Err(format!(
                "{} bytes of data for a {dtype} tensor of shape {shape:?}, which needs {expected}",
                data.len()
            ));
        }
        Ok(Self { dtype, shape, data })
    }

    /// A float32 tensor from values.
    pub fn from_f32(shape: Vec<usize>, values: &[f32]) -> Result<Self, String> {
        let data = values
            .iter()
            .flat_map(|value| value.to_le_bytes())
            .collect();
        Self::new(Dtype::F32, shape, data)
    }

    /// Copies the elements a strided view selects out of a storage, the way
    /// `torch._utils._rebuild_tensor_v2` views a storage (offsets and strides in elements).
    pub fn from_strided_storage(
        storage: &[u8],
        dtype: Dtype,
        offset: usize,
        shape: &[usize],
        stride: &[usize],
    ) -> Result<Self, String> {
        if shape.len() != stride.len() {
            return Err(format!(
                "shape {shape:?} and stride {stride:?} differ in rank"
            ));
        }
        let element_size = dtype.size();
        let storage_elements = storage.len() / element_size;
        check_view_in_bounds(storage_elements, offset, shape, stride)?;

        let count = element_count(shape).ok_or("shape overflows")?;
        check_expansion(count, storage_elements, element_size)?;
        let mut data = Vec::with_capacity(count * element_size);
        if count > 0 && stride == contiguous_strides(shape) {
            // The common case: one run of bytes, copied at once.
            let start = offset * element_size;
            data.extend_from_slice(&storage[start..start + count * element_size]);
        } else if count > 0 {
            copy_strided(storage, element_size, offset, shape, stride, &mut data);
        }
        Self::new(dtype, shape.to_vec(), data)
    }

    /// The element type.
    pub fn dtype(&self) -> Dtype {
        self.dtype
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The little-endian bytes, row-major.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Takes the bytes out.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.data.len() / self.dtype.size()
    }

    /// The values of a floating-point tensor as f32 (exact for f16 and bf16), or `None` for
    /// integer and boolean tensors.
    pub fn to_f32_vec(&self) -> Option<Vec<f32>> {
        let values = match self.dtype {
            Dtype::F32 => self.chunks::<4>().map(f32::from_le_bytes).collect(),
            Dtype::F16 => self
                .chunks::<2>()
                .map(|b| f16::from_le_bytes(b).to_f32())
                .collect(),
            Dtype::BF16 => self
                .chunks::<2>()
                .map(|b| bf16::from_le_bytes(b).to_f32())
                .collect(),
            Dtype::F64 => self
                .chunks::<8>()
                .map(|b| f64::from_le_bytes(b) as f32)
                .collect(),
            _ => return None,
        };
        Some(values)
    }

    /// The values of an integer or boolean tensor as i64, or `None` for floating-point tensors.
    pub fn to_i64_vec(&self) -> Option<Vec<i64>> {
        let values = match self.dtype {
            Dtype::I64 => self.chunks::<8>().map(i64::from_le_bytes).collect(),
            Dtype::I32 => self
                .chunks::<4>()
                .map(|b| i32::from_le_bytes(b).into())
                .collect(),
            Dtype::I16 => self
                .chunks::<2>()
                .map(|b| i16::from_le_bytes(b).into())
                .collect(),
            Dtype::I8 => self.data.iter().map(|&b| i64::from(b as i8)).collect(),
            Dtype::U8 | Dtype::Bool => self.data.iter().map(|&b| i64::from(b)).collect(),
            _ => return None,
        };
        Some(values)
    }

    /// Converts to a floating-point dtype (round to nearest even, as `Tensor.half()` does);
    /// integer and boolean tensors are converted by value, as `.half()` converts them too.
    /// A non-float `target` returns the tensor unchanged.
    pub fn cast_float(self, target: Dtype) -> Self {
        if self.dtype == target || !target.is_float() {
            return self;
        }
        let values: Vec<f64> = match self.dtype {
            Dtype::F64 => self.chunks::<8>().map(f64::from_le_bytes).collect(),
            dtype if dtype.is_float() => self
                .to_f32_vec()
                .unwrap_or_default()
                .into_iter()
                .map(f64::from)
                .collect(),
            _ => self
                .to_i64_vec()
                .unwrap_or_default()
                .into_iter()
                .map(|v| v as f64)
                .collect(),
        };
        let data = encode_floats(&values, target);
        Self {
            dtype: target,
            shape: self.shape,
            data,
        }
    }

    fn chunks<const N: usize>(&self) -> impl Iterator<Item = [u8; N]> + '_ {
        self.data.chunks_exact(N).map(|chunk| {
            let mut bytes = [0u8; N];
            bytes.copy_from_slice(chunk);
            bytes
        })
    }
}

/// The product of the dimensions, or `None` on overflow.
pub(crate) fn element_count(shape: &[usize]) -> Option<usize> {
    shape
        .iter()
        .try_fold(1usize, |count, &dim| count.checked_mul(dim))
}

fn check_view_in_bounds(
    storage_elements: usize,
    offset: usize,
    shape: &[usize],
    stride: &[usize],
) -> Result<(), String> {
    if shape.contains(&0) {
        return Ok(());
    }
    let mut last = offset;
    for (&dim, &step) in shape.iter().zip(stride) {
        let reach = (dim - 1).checked_mul(step).ok_or("stride overflows")?;
        last = last.checked_add(reach).ok_or("stride overflows")?;
    }
    if last >= storage_elements {
        return Err(format!(
            "view (offset {offset}, shape {shape:?}, stride {stride:?}) reaches element {last} \
             of a storage of {storage_elements} elements"
        ));
    }
    Ok(())
}

/// Refuses a view that repeats a small storage into a huge tensor (zero strides): a few bytes of
/// a hostile file must not become gigabytes of memory. Real weight files never need it.
fn check_expansion(
    count: usize,
    storage_elements: usize,
    element_size: usize,
) -> Result<(), String> {
    const EXPANSION_LIMIT_BYTES: usize = 64 << 20;
    if count <= storage_elements || count.saturating_mul(element_size) <= EXPANSION_LIMIT_BYTES {
        return Ok(());
    }
    Err(format!(
        "a view of {count} elements over a storage of {storage_elements} (a broadcast larger \
         than 64 MiB is refused)"
    ))
}

fn copy_strided(
    storage: &[u8],
    element_size: usize,
    offset: usize,
    shape: &[usize],
    stride: &[usize],
    out: &mut Vec<u8>,
) {
    let mut index = vec![0usize; shape.len()];
    loop {
        let element: usize = offset + index.iter().zip(stride).map(|(i, s)| i * s).sum::<usize>();
        let start = element * element_size;
        out.extend_from_slice(&storage[start..start + element_size]);

        let mut axis = shape.len();
        loop {
            if axis == 0 {
                return;
            }
            axis -= 1;
            index[axis] += 1;
            if index[axis] < shape[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
}

fn encode_floats(values: &[f64], target: Dtype) -> Vec<u8> {
    match target {
        Dtype::F16 => values
            .iter()
            .flat_map(|&v| f16::from_f64(v).to_le_bytes())
            .collect(),
        Dtype::BF16 => values
            .iter()
            .flat_map(|&v| bf16::from_f64(v).to_le_bytes())
            .collect(),
        Dtype::F64 => values.iter().flat_map(|&v| v.to_le_bytes()).collect(),
        _ => values
            .iter()
            .flat_map(|&v| (v as f32).to_le_bytes())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strided_view_selects_a_transpose() {
        let storage = RawTensor::from_f32(vec![6], &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();

        let transposed =
            RawTensor::from_strided_storage(storage.data(), Dtype::F32, 0, &[3, 2], &[1, 3])
                .unwrap();

        assert_eq!(
            transposed.to_f32_vec().unwrap(),
            vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
        );
    }

    #[test]
    fn view_past_the_storage_is_an_error() {
        let storage = vec![0u8; 16];

        let result = RawTensor::from_strided_storage(&storage, Dtype::F32, 1, &[4], &[1]);

        assert!(result.unwrap_err().contains("reaches element 4"));
    }

    #[test]
    fn huge_strides_do_not_overflow() {
        let storage = vec![0u8; 16];

        let result =
            RawTensor::from_strided_storage(&storage, Dtype::F32, 0, &[2, 2], &[usize::MAX, 1]);

        assert!(result.is_err());
    }

    #[test]
    fn huge_broadcast_of_a_small_storage_is_refused() {
        let storage = vec![0u8; 4];

        let result = RawTensor::from_strided_storage(&storage, Dtype::F32, 0, &[1 << 30], &[0]);

        assert!(result.unwrap_err().contains("broadcast"));
    }

    #[test]
    fn cast_to_half_rounds_like_torch() {
        let tensor = RawTensor::from_f32(vec![3], &[1.0, 0.1, 65520.0]).unwrap();

        let half = tensor.cast_float(Dtype::F16);

        assert_eq!(half.dtype(), Dtype::F16);
        let values = half.to_f32_vec().unwrap();
        assert_eq!(values[0], 1.0);
        assert_eq!(values[1], f16::from_f32(0.1).to_f32());
        assert!(values[2].is_infinite());
    }
}
