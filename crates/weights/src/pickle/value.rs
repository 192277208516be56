//! The values an unpickled state-dict file can hold.

use serde_json::{Map, Number, Value};

use crate::dtype::Dtype;

/// A reference to tensor data inside a torch zip archive, as `_rebuild_tensor_v2` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorRef {
    /// The storage's record name: the data is in `<prefix>/data/<storage_key>`.
    pub storage_key: String,
    /// The element type of the storage.
    pub dtype: Dtype,
    /// The number of elements the pickle says the storage has.
    pub storage_numel: usize,
    /// Offset of the first element of the view, in elements.
    pub offset: usize,
    /// The view's shape.
    pub shape: Vec<usize>,
    /// The view's strides, in elements.
    pub stride: Vec<usize>,
}

/// One unpickled value.
///
/// `dict`, `collections.OrderedDict` and `utils.HParams` (GPT-SoVITS's hyper-parameter object,
/// whose attribute dict is its whole content) all become [`PickleValue::Dict`], in file order.
#[derive(Clone, Debug, PartialEq)]
pub enum PickleValue {
    /// `None`.
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<PickleValue>),
    /// A tuple.
    Tuple(Vec<PickleValue>),
    /// A dict, an OrderedDict or an HParams object, in insertion order.
    Dict(Vec<(PickleValue, PickleValue)>),
    /// A tensor whose data lives in the archive.
    Tensor(TensorRef),
}

impl PickleValue {
    /// The value under a string key, when this is a dict.
    pub fn get(&self, key: &str) -> Option<&PickleValue> {
        self.as_dict()?
            .iter()
            .find(|(entry_key, _)| entry_key.as_str() == Some(key))
            .map(|(_, value)| value)
    }

    /// The entries, when this is a dict.
    pub fn as_dict(&self) -> Option<&[(PickleValue, PickleValue)]> {
        match self {
            Self::Dict(entries) => Some(entries),
            _ => None,
        }
    }

    /// The string, when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(text) => Some(text),
            _ => None,
        }
    }

    /// The tensor reference, when this is a tensor.
    pub fn as_tensor(&self) -> Option<&TensorRef> {
        match self {
            Self::Tensor(tensor) => Some(tensor),
            _ => None,
        }
    }

    /// The `(name, tensor)` pairs, when this is a dict whose keys are strings and whose values
    /// are all tensors (a state dict). An empty dict is not a state dict.
    pub fn as_state_dict(&self) -> Option<Vec<(&str, &TensorRef)>> {
        let entries = self.as_dict()?;
        if entries.is_empty() {
            return None;
        }
        entries
            .iter()
            .map(|(key, value)| Some((key.as_str()?, value.as_tensor()?)))
            .collect()
    }

    /// A JSON rendering, for configs and reports. Non-string dict keys are written as their
    /// JSON text; tensors become a short description; NaN and infinities become `null`.
    pub fn to_json(&self) -> Value {
        match self {
            Self::None => Value::Null,
            Self::Bool(flag) => Value::Bool(*flag),
            Self::Int(number) => Value::from(*number),
            Self::Float(number) => Number::from_f64(*number).map_or(Value::Null, Value::Number),
            Self::Str(text) => Value::String(text.clone()),
            Self::List(items) | Self::Tuple(items) => {
                Value::Array(items.iter().map(Self::to_json).collect())
            }
            Self::Dict(entries) => Value::Object(dict_to_json(entries)),
            Self::Tensor(tensor) => {
                Value::String(format!("<tensor {} {:?}>", tensor.dtype, tensor.shape))
            }
        }
    }
}

fn dict_to_json(entries: &[(PickleValue, PickleValue)]) -> Map<String, Value> {
    entries
        .iter()
        .map(|(key, value)| {
            let name = match key {
                PickleValue::Str(text) => text.clone(),
                other => other.to_json().to_string(),
            };
            (name, value.to_json())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_rendering_keeps_order_and_types() {
        let value = PickleValue::Dict(vec![
            (PickleValue::Str("b".into()), PickleValue::Float(1.0)),
            (
                PickleValue::Str("a".into()),
                PickleValue::Tuple(vec![PickleValue::Int(3)]),
            ),
            (PickleValue::Int(7), PickleValue::None),
        ]);

        let json = value.to_json();

        assert_eq!(json.to_string(), r#"{"b":1.0,"a":[3],"7":null}"#);
    }
}
