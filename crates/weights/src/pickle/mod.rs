//! A safe subset of Python's pickle format: exactly what `torch.save` writes for state dicts.
//!
//! No general-purpose pickle crate fits: `serde-pickle` has no persistent ids (`BINPERSID`, which
//! is how torch refers to tensor storages) and no hook to allow-list `GLOBAL`s, so this module is
//! a small interpreter of its own. It knows a fixed list of opcodes and a fixed list of globals;
//! anything else stops the interpretation with an error naming what was asked for. Nothing is
//! ever called: "applying" an allowed global only builds a [`PickleValue`].

mod opcodes;
mod read;
mod value;
mod write;

pub use read::{unpickle, ALLOWED_GLOBALS};
pub use value::{PickleValue, TensorRef};
pub(crate) use write::contiguous_strides;
pub use write::PickleWriter;
