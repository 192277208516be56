//! The unpickler: an interpreter for the opcodes `torch.save` uses, over an arena of values.
//!
//! Values live in an arena and the stack and memo hold arena indices, so a container that is
//! memoised and filled afterwards (`EMPTY_DICT BINPUT ... SETITEMS`) is seen filled through every
//! reference, as in Python. The tree handed out at the end is built from the arena with a depth
//! and size limit, so shared references or cycles cannot blow up.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::opcodes::*;
use super::value::{PickleValue, TensorRef};
use crate::dtype::Dtype;
use crate::error::{Result, WeightsError};

/// The globals an unpickled file may name (besides the `torch.*Storage` classes).
pub const ALLOWED_GLOBALS: &[&str] = &[
    "collections.OrderedDict",
    "torch._utils._rebuild_tensor_v2",
    "torch._utils._rebuild_parameter",
    "utils.HParams",
];

const MAX_DEPTH: usize = 200;
const MAX_OUTPUT_VALUES_FLOOR: usize = 1 << 20;

/// Interprets `bytes` as a pickle. `origin` names the file in errors (for a zip member, the
/// archive path with the member after it).
pub fn unpickle(bytes: &[u8], origin: &Path) -> Result<PickleValue> {
    let mut machine = Machine::new(bytes, origin);
    let root = machine.run()?;
    let budget = MAX_OUTPUT_VALUES_FLOOR.max(machine.arena.len().saturating_mul(16));
    let mut builder = TreeBuilder {
        machine: &machine,
        remaining: budget,
    };
    builder.build(root, 0)
}

/// An allowed global, resolved from its name.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Global {
    OrderedDict,
    RebuildTensorV2,
    RebuildParameter,
    HParams,
    Storage(Dtype),
}

#[derive(Clone, Debug)]
enum Node {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<usize>),
    Tuple(Vec<usize>),
    Dict(Vec<(usize, usize)>),
    Global(Global),
    Storage {
        dtype: Dtype,
        key: String,
        numel: usize,
    },
    Tensor(TensorRef),
    /// An `HParams` made by `NEWOBJ`, with its attribute dict once `BUILD` gave it one.
    HParams(Option<usize>),
}

struct Machine<'a> {
    bytes: &'a [u8],
    position: usize,
    origin: PathBuf,
    arena: Vec<Node>,
    stack: Vec<usize>,
    marks: Vec<usize>,
    memo: HashMap<u32, usize>,
}

impl<'a> Machine<'a> {
    fn new(bytes: &'a [u8], origin: &Path) -> Self {
        Self {
            bytes,
            position: 0,
            origin: origin.to_path_buf(),
            arena: Vec::new(),
            stack: Vec::new(),
            marks: Vec::new(),
            memo: HashMap::new(),
        }
    }

    fn run(&mut self) -> Result<usize> {
        loop {
            let opcode_position = self.position;
            let opcode = self.take_byte()?;
            if opcode == STOP {
                return self.pop();
            }
            self.step(opcode)
                .map_err(|error| self.locate(error, opcode, opcode_position))?;
        }
    }

    fn step(&mut self, opcode: u8) -> Result<()> {
        match opcode {
            PROTO => self.protocol(),
            GLOBAL => self.global(),
            BINPUT | LONG_BINPUT | BINGET | LONG_BINGET => self.memo(opcode),
            MARK => {
                self.marks.push(self.stack.len());
                Ok(())
            }
            EMPTY_DICT => self.push(Node::Dict(Vec::new())),
            EMPTY_LIST => self.push(Node::List(Vec::new())),
            TUPLE | EMPTY_TUPLE | TUPLE1 | TUPLE2 | TUPLE3 => self.tuple(opcode),
            SETITEM => self.set_item(),
            SETITEMS => self.set_items(),
            APPEND => self.append(),
            APPENDS => self.appends(),
            BINUNICODE => self.unicode(),
            BININT | BININT1 | BININT2 | LONG1 | BINFLOAT => self.number(opcode),
            NEWTRUE => self.push(Node::Bool(true)),
            NEWFALSE => self.push(Node::Bool(false)),
            NONE => self.push(Node::None),
            REDUCE => self.reduce(),
            NEWOBJ => self.new_object(),
            BUILD => self.build(),
            BINPERSID => self.persistent_id(),
            _ => Err(self.malformed(format!("unsupported opcode {}", describe_opcode(opcode)))),
        }
    }

    fn memo(&mut self, opcode: u8) -> Result<()> {
        let index = match opcode {
            BINPUT | BINGET => u32::from(self.take_byte()?),
            _ => self.take_u32()?,
        };
        if matches!(opcode, BINPUT | LONG_BINPUT) {
            self.memo_put(index)
        } else {
            self.memo_get(index)
        }
    }

    fn tuple(&mut self, opcode: u8) -> Result<()> {
        let items = match opcode {
            TUPLE => self.pop_to_mark()?,
            EMPTY_TUPLE => Vec::new(),
            TUPLE1 => self.pop_last(1)?,
            TUPLE2 => self.pop_last(2)?,
            _ => self.pop_last(3)?,
        };
        self.push(Node::Tuple(items))
    }

    fn number(&mut self, opcode: u8) -> Result<()> {
        let node = match opcode {
            BININT => Node::Int(i32::from_le_bytes(self.take::<4>()?).into()),
            BININT1 => Node::Int(self.take_byte()?.into()),
            BININT2 => Node::Int(u16::from_le_bytes(self.take::<2>()?).into()),
            LONG1 => Node::Int(self.long1()?),
            _ => Node::Float(f64::from_be_bytes(self.take::<8>()?)),
        };
        self.push(node)
    }

    fn protocol(&mut self) -> Result<()> {
        let version = self.take_byte()?;
        if version > 5 {
            return Err(self.malformed(format!("pickle protocol {version}")));
        }
        Ok(())
    }

    fn global(&mut self) -> Result<()> {
        let module = self.take_line()?;
        let name = self.take_line()?;
        let qualified = format!("{module}.{name}");

        let global = resolve_global(&qualified).ok_or_else(|| WeightsError::RefusedPickle {
            path: self.origin.clone(),
            class: qualified.clone(),
        })?;
        self.push(Node::Global(global))
    }

    fn memo_put(&mut self, index: u32) -> Result<()> {
        let top = *self
            .stack
            .last()
            .ok_or_else(|| self.malformed("memo put on an empty stack"))?;
        self.memo.insert(index, top);
        Ok(())
    }

    fn memo_get(&mut self, index: u32) -> Result<()> {
        let id = *self
            .memo
            .get(&index)
            .ok_or_else(|| self.malformed(format!("memo entry {index} read before it was set")))?;
        self.stack.push(id);
        Ok(())
    }

    /// Pops the last `count` values, without crossing a MARK.
    fn pop_last(&mut self, count: usize) -> Result<Vec<usize>> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() < floor + count {
            return Err(self.malformed("a tuple of more items than the stack holds"));
        }
        Ok(self.stack.split_off(self.stack.len() - count))
    }

    fn set_item(&mut self) -> Result<()> {
        let value = self.pop()?;
        let key = self.pop()?;
        self.insert_into_top_dict(vec![key, value])
    }

    fn set_items(&mut self) -> Result<()> {
        let items = self.pop_to_mark()?;
        if items.len() % 2 != 0 {
            return Err(self.malformed("SETITEMS with an odd number of items"));
        }
        self.insert_into_top_dict(items)
    }

    fn insert_into_top_dict(&mut self, flat_pairs: Vec<usize>) -> Result<()> {
        let target = self.top()?;
        let Node::Dict(entries) = &mut self.arena[target] else {
            return Err(self.malformed("items set on something that is not a dict"));
        };
        for pair in flat_pairs.chunks_exact(2) {
            entries.push((pair[0], pair[1]));
        }
        Ok(())
    }

    fn append(&mut self) -> Result<()> {
        let item = self.pop()?;
        self.extend_top_list(vec![item])
    }

    fn appends(&mut self) -> Result<()> {
        let items = self.pop_to_mark()?;
        self.extend_top_list(items)
    }

    fn extend_top_list(&mut self, items: Vec<usize>) -> Result<()> {
        let target = self.top()?;
        let Node::List(list) = &mut self.arena[target] else {
            return Err(self.malformed("items appended to something that is not a list"));
        };
        list.extend(items);
        Ok(())
    }

    fn unicode(&mut self) -> Result<()> {
        let length = u32::from_le_bytes(self.take::<4>()?) as usize;
        let bytes = self.take_slice(length)?;
        let text = std::str::from_utf8(bytes)
            .map_err(|_| self.malformed("a string that is not UTF-8"))?
            .to_owned();
        self.push(Node::Str(text))
    }

    fn long1(&mut self) -> Result<i64> {
        let length = usize::from(self.take_byte()?);
        let bytes = self.take_slice(length)?;
        if length > 8 {
            return Err(self.malformed(format!("an integer of {length} bytes")));
        }
        let fill = if bytes.last().is_some_and(|&b| b & 0x80 != 0) {
            0xff
        } else {
            0
        };
        let mut wide = [fill; 8];
        wide[..length].copy_from_slice(bytes);
        Ok(i64::from_le_bytes(wide))
    }

    fn reduce(&mut self) -> Result<()> {
        let arguments = self.pop()?;
        let callable = self.pop()?;
        let Node::Global(global) = self.arena[callable] else {
            return Err(self.malformed("REDUCE on something that is not an allowed global"));
        };
        let Node::Tuple(arguments) = self.arena[arguments].clone() else {
            return Err(self.malformed("REDUCE with arguments that are not a tuple"));
        };

        let result = match global {
            Global::OrderedDict if arguments.is_empty() => Node::Dict(Vec::new()),
            Global::RebuildTensorV2 => Node::Tensor(self.rebuild_tensor(&arguments)?),
            Global::RebuildParameter => self.rebuild_parameter(&arguments)?,
            other => {
                return Err(self.malformed(format!("{other:?} called with {arguments:?}")));
            }
        };
        self.push(result)
    }

    fn rebuild_tensor(&self, arguments: &[usize]) -> Result<TensorRef> {
        if !(6..=7).contains(&arguments.len()) {
            return Err(self.malformed("_rebuild_tensor_v2 with other than 6 or 7 arguments"));
        }
        let Node::Storage { dtype, key, numel } = &self.arena[arguments[0]] else {
            return Err(self.malformed("_rebuild_tensor_v2 without a storage"));
        };
        let offset = self.as_size(arguments[1])?;
        let shape = self.as_sizes(arguments[2])?;
        let stride = self.as_sizes(arguments[3])?;
        if shape.len() != stride.len() {
            return Err(self.malformed("a tensor whose shape and stride differ in rank"));
        }

        Ok(TensorRef {
            storage_key: key.clone(),
            dtype: *dtype,
            storage_numel: *numel,
            offset,
            shape,
            stride,
        })
    }

    fn rebuild_parameter(&self, arguments: &[usize]) -> Result<Node> {
        match arguments.first().map(|&id| &self.arena[id]) {
            Some(Node::Tensor(tensor)) => Ok(Node::Tensor(tensor.clone())),
            _ => Err(self.malformed("_rebuild_parameter without a tensor")),
        }
    }

    fn new_object(&mut self) -> Result<()> {
        let _arguments = self.pop()?;
        let class = self.pop()?;
        if !matches!(self.arena[class], Node::Global(Global::HParams)) {
            return Err(self.malformed("NEWOBJ of a class other than utils.HParams"));
        }
        self.push(Node::HParams(None))
    }

    fn build(&mut self) -> Result<()> {
        let state = self.pop()?;
        let target = self.top()?;
        if !matches!(self.arena[state], Node::Dict(_)) {
            return Err(self.malformed("BUILD with a state that is not a dict"));
        }
        match &mut self.arena[target] {
            Node::HParams(slot) => *slot = Some(state),
            // An OrderedDict's instance attributes (a state dict's `_metadata` of module
            // versions): data only, and nothing this crate needs.
            Node::Dict(_) => {}
            _ => return Err(self.malformed("BUILD on something other than utils.HParams")),
        }
        Ok(())
    }

    /// `BINPERSID` of `('storage', <StorageClass>, key, location, numel)`: how torch refers to
    /// a storage record of the archive.
    fn persistent_id(&mut self) -> Result<()> {
        let id = self.pop()?;
        let Node::Tuple(fields) = &self.arena[id] else {
            return Err(self.malformed("a persistent id that is not a tuple"));
        };
        let fields: Vec<&Node> = fields.iter().map(|&field| &self.arena[field]).collect();
        let refused = || self.malformed("a persistent id other than a torch storage");

        let [tag, class, key, _location, numel] = fields[..] else {
            return Err(refused());
        };
        let (
            Node::Str(tag),
            Node::Global(Global::Storage(dtype)),
            Node::Str(key),
            Node::Int(numel),
        ) = (tag, class, key, numel)
        else {
            return Err(refused());
        };
        if tag != "storage" || *numel < 0 {
            return Err(refused());
        }
        let storage = Node::Storage {
            dtype: *dtype,
            key: key.clone(),
            numel: *numel as usize,
        };
        self.push(storage)
    }

    fn as_size(&self, id: usize) -> Result<usize> {
        match self.arena[id] {
            Node::Int(value) if value >= 0 => Ok(value as usize),
            _ => Err(self.malformed("a tensor size or offset that is not a non-negative integer")),
        }
    }

    fn as_sizes(&self, id: usize) -> Result<Vec<usize>> {
        let Node::Tuple(items) = &self.arena[id] else {
            return Err(self.malformed("a tensor shape or stride that is not a tuple"));
        };
        items.iter().map(|&item| self.as_size(item)).collect()
    }

    fn push(&mut self, node: Node) -> Result<()> {
        self.arena.push(node);
        self.stack.push(self.arena.len() - 1);
        Ok(())
    }

    fn pop(&mut self) -> Result<usize> {
        if self
            .marks
            .last()
            .is_some_and(|&mark| mark >= self.stack.len())
        {
            return Err(self.malformed("pop across a MARK"));
        }
        self.stack
            .pop()
            .ok_or_else(|| self.malformed("pop from an empty stack"))
    }

    fn top(&self) -> Result<usize> {
        self.stack
            .last()
            .copied()
            .ok_or_else(|| self.malformed("an empty stack"))
    }

    fn pop_to_mark(&mut self) -> Result<Vec<usize>> {
        let mark = self
            .marks
            .pop()
            .ok_or_else(|| self.malformed("no MARK on the stack"))?;
        if mark > self.stack.len() {
            return Err(self.malformed("a MARK above the stack"));
        }
        Ok(self.stack.split_off(mark))
    }

    fn take_byte(&mut self) -> Result<u8> {
        Ok(self.take::<1>()?[0])
    }

    fn take_u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take::<4>()?))
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut bytes = [0u8; N];
        bytes.copy_from_slice(self.take_slice(N)?);
        Ok(bytes)
    }

    fn take_slice(&mut self, length: usize) -> Result<&'a [u8]> {
        let end = self
            .position
            .checked_add(length)
            .filter(|&end| end <= self.bytes.len());
        let Some(end) = end else {
            return Err(self.malformed("the pickle ends in the middle of an opcode (truncated)"));
        };
        let slice = &self.bytes[self.position..end];
        self.position = end;
        Ok(slice)
    }

    fn take_line(&mut self) -> Result<String> {
        let rest = &self.bytes[self.position..];
        let length = rest
            .iter()
            .take(256)
            .position(|&b| b == b'\n')
            .ok_or_else(|| self.malformed("a GLOBAL name without an end of line"))?;
        let line = std::str::from_utf8(&rest[..length])
            .map_err(|_| self.malformed("a GLOBAL name that is not UTF-8"))?
            .to_owned();
        self.position += length + 1;
        Ok(line)
    }

    fn malformed(&self, found: impl Into<String>) -> WeightsError {
        WeightsError::invalid(&self.origin, "a pickled state dict", found)
    }

    /// Adds the opcode and its byte offset to a format error.
    fn locate(&self, error: WeightsError, opcode: u8, position: usize) -> WeightsError {
        match error {
            WeightsError::InvalidFormat {
                path,
                expected,
                found,
            } => WeightsError::InvalidFormat {
                path,
                expected,
                found: format!(
                    "{found} (opcode {} at byte {position})",
                    describe_opcode(opcode)
                ),
            },
            other => other,
        }
    }
}

fn resolve_global(qualified: &str) -> Option<Global> {
    let global = match qualified {
        "collections.OrderedDict" => Global::OrderedDict,
        "torch._utils._rebuild_tensor_v2" => Global::RebuildTensorV2,
        "torch._utils._rebuild_parameter" => Global::RebuildParameter,
        "utils.HParams" => Global::HParams,
        storage => Global::Storage(Dtype::from_torch_storage(storage)?),
    };
    Some(global)
}

fn describe_opcode(opcode: u8) -> String {
    if opcode.is_ascii_graphic() {
        format!("0x{opcode:02x} '{}'", opcode as char)
    } else {
        format!("0x{opcode:02x}")
    }
}

/// Turns the arena into an owned tree, refusing cycles and runaway sharing.
struct TreeBuilder<'m, 'a> {
    machine: &'m Machine<'a>,
    remaining: usize,
}

impl TreeBuilder<'_, '_> {
    fn build(&mut self, id: usize, depth: usize) -> Result<PickleValue> {
        if depth > MAX_DEPTH {
            return Err(self
                .machine
                .malformed(format!("values nested deeper than {MAX_DEPTH}")));
        }
        self.remaining = self.remaining.checked_sub(1).ok_or_else(|| {
            self.machine
                .malformed("a pickle that expands to too many values")
        })?;

        let value = match &self.machine.arena[id] {
            Node::None => PickleValue::None,
            Node::Bool(flag) => PickleValue::Bool(*flag),
            Node::Int(number) => PickleValue::Int(*number),
            Node::Float(number) => PickleValue::Float(*number),
            Node::Str(text) => PickleValue::Str(text.clone()),
            Node::List(items) => PickleValue::List(self.build_all(items, depth)?),
            Node::Tuple(items) => PickleValue::Tuple(self.build_all(items, depth)?),
            Node::Dict(entries) => PickleValue::Dict(self.build_entries(entries, depth)?),
            Node::HParams(Some(state)) => self.build(*state, depth + 1)?,
            Node::HParams(None) => PickleValue::Dict(Vec::new()),
            Node::Tensor(tensor) => PickleValue::Tensor(tensor.clone()),
            Node::Global(_) | Node::Storage { .. } => {
                return Err(self.machine.malformed("a class or storage used as a value"));
            }
        };
        Ok(value)
    }

    fn build_all(&mut self, items: &[usize], depth: usize) -> Result<Vec<PickleValue>> {
        items
            .iter()
            .map(|&item| self.build(item, depth + 1))
            .collect()
    }

    fn build_entries(
        &mut self,
        entries: &[(usize, usize)],
        depth: usize,
    ) -> Result<Vec<(PickleValue, PickleValue)>> {
        entries
            .iter()
            .map(|&(key, value)| Ok((self.build(key, depth + 1)?, self.build(value, depth + 1)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> &'static Path {
        Path::new("test.pkl")
    }

    #[test]
    fn os_system_is_refused_by_name() {
        let hostile = b"\x80\x02cposix\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03.";

        let error = unpickle(hostile, origin()).unwrap_err();

        assert_eq!(error.code(), "refused_pickle");
        assert!(error.to_string().contains("`posix.system`"), "{error}");
    }

    #[test]
    fn every_listed_global_resolves_and_storages_too() {
        for name in ALLOWED_GLOBALS {
            assert!(resolve_global(name).is_some(), "{name}");
        }
        assert_eq!(
            resolve_global("torch.BFloat16Storage"),
            Some(Global::Storage(Dtype::BF16))
        );
        assert_eq!(resolve_global("torch.Tensor"), None);
    }

    #[test]
    fn memoised_dict_is_seen_filled() {
        // {"a": 1} memoised empty, filled, then fetched again inside a list.
        let pickle = b"\x80\x02]q\x00}q\x01X\x01\x00\x00\x00aK\x01sah\x01a.";

        let value = unpickle(pickle, origin()).unwrap();

        let PickleValue::List(items) = value else {
            panic!("not a list: {value:?}")
        };
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].get("a"), Some(&PickleValue::Int(1)));
    }

    #[test]
    fn long1_reads_negative_and_large_integers() {
        let pickle = b"\x80\x02(\x8a\x01\xff\x8a\x05\x00\x00\x00\x00\x01t.";

        let value = unpickle(pickle, origin()).unwrap();

        assert_eq!(
            value,
            PickleValue::Tuple(vec![PickleValue::Int(-1), PickleValue::Int(1 << 32)])
        );
    }

    #[test]
    fn self_referencing_list_is_an_error_not_a_hang() {
        // l = []; l.append(l)
        let pickle = b"\x80\x02]q\x00h\x00a.";

        let error = unpickle(pickle, origin()).unwrap_err();

        assert_eq!(error.code(), "invalid_format");
    }

    #[test]
    fn truncated_pickle_names_the_problem() {
        let error = unpickle(b"\x80\x02X\x05\x00\x00\x00ab", origin()).unwrap_err();

        assert!(error.to_string().contains("truncated"), "{error}");
    }
}
