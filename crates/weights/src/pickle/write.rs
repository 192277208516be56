//! Writes protocol-2 pickles of the shapes `torch.save` produces for GPT-SoVITS weight files.
//!
//! Only the opcodes the reader accepts are emitted, so every file written here reads back here.
//! Containers are written without memo entries: Python's unpickler does not need them.

use serde_json::Value;

use super::opcodes::*;
use crate::dtype::Dtype;

/// Builds a pickle opcode by opcode. Every method leaves exactly one new value on the pickle
/// stack, except the `*_item` and `end_*` methods, which consume what they complete.
#[derive(Debug)]
pub struct PickleWriter {
    out: Vec<u8>,
}

impl Default for PickleWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl PickleWriter {
    /// Starts a protocol-2 pickle.
    pub fn new() -> Self {
        Self {
            out: vec![PROTO, 2],
        }
    }

    /// Ends the pickle (the top of the stack is the result) and returns its bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.out.push(STOP);
        self.out
    }

    /// Pushes `None`.
    pub fn none(&mut self) {
        self.out.push(NONE);
    }

    /// Pushes a bool.
    pub fn bool(&mut self, flag: bool) {
        self.out.push(if flag { NEWTRUE } else { NEWFALSE });
    }

    /// Pushes an integer in the shortest encoding.
    pub fn int(&mut self, value: i64) {
        if let Ok(small) = u8::try_from(value) {
            self.out.extend([BININT1, small]);
        } else if let Ok(medium) = u16::try_from(value) {
            self.out.push(BININT2);
            self.out.extend(medium.to_le_bytes());
        } else if let Ok(word) = i32::try_from(value) {
            self.out.push(BININT);
            self.out.extend(word.to_le_bytes());
        } else {
            self.out.extend([LONG1, 8]);
            self.out.extend(value.to_le_bytes());
        }
    }

    /// Pushes a float.
    pub fn float(&mut self, value: f64) {
        self.out.push(BINFLOAT);
        self.out.extend(value.to_be_bytes());
    }

    /// Pushes a string.
    pub fn str(&mut self, text: &str) {
        self.out.push(BINUNICODE);
        self.out.extend((text.len() as u32).to_le_bytes());
        self.out.extend(text.as_bytes());
    }

    /// Pushes a tuple of integers (a shape or a stride).
    pub fn int_tuple(&mut self, values: &[usize]) {
        if values.is_empty() {
            self.out.push(EMPTY_TUPLE);
            return;
        }
        self.out.push(MARK);
        for &value in values {
            self.int(value as i64);
        }
        self.out.push(TUPLE);
    }

    /// Pushes an empty plain dict; fill it with [`Self::set_item`].
    pub fn begin_dict(&mut self) {
        self.out.push(EMPTY_DICT);
    }

    /// Pushes an empty `collections.OrderedDict()`; fill it with [`Self::set_item`].
    pub fn begin_ordered_dict(&mut self) {
        self.global("collections", "OrderedDict");
        self.out.extend([EMPTY_TUPLE, REDUCE]);
    }

    /// Pushes a new `utils.HParams` and its empty attribute dict; fill the dict with
    /// [`Self::set_item`] and close with [`Self::end_hparams`].
    pub fn begin_hparams(&mut self) {
        self.global("utils", "HParams");
        self.out.extend([EMPTY_TUPLE, NEWOBJ, EMPTY_DICT]);
    }

    /// Sets the attribute dict on the HParams below it (`BUILD`).
    pub fn end_hparams(&mut self) {
        self.out.push(BUILD);
    }

    /// Pops a key and a value and stores them in the dict below them.
    pub fn set_item(&mut self) {
        self.out.push(SETITEM);
    }

    /// Pushes a tensor view over a storage record, as `_rebuild_tensor_v2` takes it.
    pub fn tensor(&mut self, storage_key: &str, dtype: Dtype, numel: usize, shape: &[usize]) {
        self.global("torch._utils", "_rebuild_tensor_v2");
        self.out.push(MARK);

        self.out.push(MARK);
        self.str("storage");
        self.global("torch", dtype.torch_storage_class());
        self.str(storage_key);
        self.str("cpu");
        self.int(numel as i64);
        self.out.extend([TUPLE, BINPERSID]);

        self.int(0);
        self.int_tuple(shape);
        self.int_tuple(&contiguous_strides(shape));
        self.bool(false);
        self.begin_ordered_dict();
        self.out.extend([TUPLE, REDUCE]);
    }

    /// Pushes a JSON value. Objects become `utils.HParams` when `objects_as_hparams` is set
    /// (what GPT-SoVITS's `get_hparams` makes of its JSON config) and plain dicts otherwise;
    /// arrays become lists.
    pub fn json(&mut self, value: &Value, objects_as_hparams: bool) {
        match value {
            Value::Null => self.none(),
            Value::Bool(flag) => self.bool(*flag),
            Value::Number(number) => self.number(number),
            Value::String(text) => self.str(text),
            Value::Array(items) => self.json_list(items, objects_as_hparams),
            Value::Object(fields) => {
                if objects_as_hparams {
                    self.begin_hparams();
                } else {
                    self.begin_dict();
                }
                for (key, field) in fields {
                    self.str(key);
                    self.json(field, objects_as_hparams);
                    self.set_item();
                }
                if objects_as_hparams {
                    self.end_hparams();
                }
            }
        }
    }

    fn number(&mut self, number: &serde_json::Number) {
        if let Some(integer) = number.as_i64() {
            self.int(integer);
        } else {
            // Limitation: integers above i64::MAX are written as floats; no config has them.
            self.float(number.as_f64().unwrap_or(f64::NAN));
        }
    }

    fn json_list(&mut self, items: &[Value], objects_as_hparams: bool) {
        self.out.push(EMPTY_LIST);
        if items.is_empty() {
            return;
        }
        self.out.push(MARK);
        for item in items {
            self.json(item, objects_as_hparams);
        }
        self.out.push(APPENDS);
    }

    fn global(&mut self, module: &str, name: &str) {
        self.out.push(GLOBAL);
        self.out.extend(module.as_bytes());
        self.out.push(b'\n');
        self.out.extend(name.as_bytes());
        self.out.push(b'\n');
    }
}

/// Row-major strides, in elements.
pub(crate) fn contiguous_strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![1usize; shape.len()];
    for axis in (0..shape.len().saturating_sub(1)).rev() {
        strides[axis] = strides[axis + 1] * shape[axis + 1];
    }
    strides
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::pickle::{unpickle, PickleValue};

    #[test]
    fn json_config_reads_back_as_the_same_json() {
        let config = serde_json::json!({
            "train": {"epochs": 8, "betas": [0.8, 0.99], "fp16_run": true, "big": 5_000_000_000i64},
            "data": {"mel_fmax": null, "exp_dir": "logs/x", "max_wav_value": 32768.0},
            "neg": -70000
        });
        let mut writer = PickleWriter::new();

        writer.json(&config, true);
        let value = unpickle(&writer.finish(), Path::new("mem")).unwrap();

        assert_eq!(value.to_json(), config);
    }

    #[test]
    fn tensor_reads_back_as_a_contiguous_view() {
        let mut writer = PickleWriter::new();

        writer.tensor("3", Dtype::F16, 24, &[2, 3, 4]);
        let value = unpickle(&writer.finish(), Path::new("mem")).unwrap();

        let PickleValue::Tensor(tensor) = value else {
            panic!("{value:?}")
        };
        assert_eq!(tensor.storage_key, "3");
        assert_eq!(tensor.dtype, Dtype::F16);
        assert_eq!(tensor.shape, vec![2, 3, 4]);
        assert_eq!(tensor.stride, vec![12, 4, 1]);
    }
}
