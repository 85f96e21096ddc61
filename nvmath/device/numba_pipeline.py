"""Numba typing and lowering of cuBLASDx pipelines in kernels (:mod:`nvmath.device.matmul_pipeline`).

In a kernel that takes a :class:`~nvmath.device.matmul_pipeline.DevicePipeline` ``dp`` as an
argument::

    smem = cuda.shared.array(0, np.uint8, alignment=1024)   # dp.buffer_size bytes at launch
    tile = dp.get_tile(smem, cuda.blockIdx.x, cuda.blockIdx.y)
    acc = tile.suggest_accumulator()
    tile.execute(acc)                      # acc = this tile's A_row @ B_column, over all of k
    acc.store(make_tensor(c_tile, MM.get_layout_gmem_c(ldc)))   # finish, then copy to C
    acc.destroy()
    tile.destroy()

Every call lowers to a call of a libmathdx device function; all of a pipeline's kernel-side
functions come in one LTO-IR (one compile, then the disk cache) which the link step inlines.
The ABI (see :mod:`nvmath.device.lto.matmul_pipeline`): pipelines and accumulators are
identified structs ``{ i8* }`` passed by value; the tile pipeline's and the accumulator's
state live in this thread's local memory (``alloca`` of the traits' storage sizes), the
device pipeline's state in global memory (the kernel argument is its address).

numba-cuda passes kernel arguments of known kinds only, so importing this module wraps its
argument marshalling once: a ``DevicePipeline`` argument becomes its state's address.

Example:
    >>> import nvmath.device.numba_pipeline  # registers the typing and lowering
"""

from __future__ import annotations

from llvmlite import ir
from numba.core.errors import TypingError
from numba.cuda import cgutils, types
from numba.cuda.core.imputils import lower_builtin
from numba.cuda.datamodel import models
from numba.cuda.extending import register_model, typeof_impl
from numba.cuda.typing.templates import AttributeTemplate, bound_function, infer_getattr, signature

from nvmath.device.extern import LTOIRCode
from nvmath.device.lto import matmul_pipeline as backend
from nvmath.device.matmul_pipeline import DevicePipeline
from nvmath.device.numba_lowering_matmul import tensor_abi_value
from nvmath.device.numba_types import OpaqueTensorType

__all__ = ["AccumulatorStateType", "DevicePipelineType", "TilePipelineType"]

_I8P = ir.IntType(8).as_pointer()
_I32 = ir.IntType(32)
_STATE_ALIGNMENT = 16
# The identified struct libmathdx's opaque objects cross the ABI as (the same one the tensors use).
_OPAQUE = ir.global_context.get_identified_type("struct.nvmath_cublasdx_tensor")
if _OPAQUE.is_opaque:
    _OPAQUE.set_body(_I8P)


class _PipelineTypeBase(types.Type):
    """A Numba type keyed by a pipeline description; carries the pipeline object for its traits."""

    kind = ""

    def __init__(self, pipeline: DevicePipeline) -> None:
        # A copy without state: compiled kernels keep their types, which must not keep the
        # pipeline's state or its operands (A and B) alive.
        self.pipeline = DevicePipeline(pipeline.matmul, pipeline.description)
        super().__init__(name=f"nvmath.{self.kind}({pipeline.description.describe()})")

    @property
    def key(self):
        return self.pipeline.description

    @property
    def description(self):
        """The :class:`~nvmath.device.lto.matmul_pipeline.PipelineDescription`."""
        return self.pipeline.description


class DevicePipelineType(_PipelineTypeBase):
    """Numba type of a :class:`DevicePipeline` kernel argument (its value: the state's address)."""

    kind = "DevicePipeline"

    @staticmethod
    def kernel_argument(value: DevicePipeline):
        """What a launch passes for ``value``: its state's address (see ``nvmath.device.extern``)."""
        return value.pointer  # RuntimeError for a pipeline without state


class TilePipelineType(_PipelineTypeBase):
    """Numba type of a block's tile pipeline (its value: its local state and the shared buffer)."""

    kind = "TilePipeline"


class AccumulatorStateType(_PipelineTypeBase):
    """Numba type of a pipeline accumulator (``tile.suggest_accumulator()``; its value: local state)."""

    kind = "PipelineAccumulator"


@register_model(DevicePipelineType)
class _DevicePipelineModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("state", types.voidptr)])


@register_model(TilePipelineType)
class _TilePipelineModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("state", types.voidptr), ("device", types.voidptr), ("smem", types.voidptr)])


@register_model(AccumulatorStateType)
class _AccumulatorModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("state", types.voidptr), ("tile", types.voidptr)])


@typeof_impl.register(DevicePipeline)
def _typeof_device_pipeline(value: DevicePipeline, context) -> DevicePipelineType:
    return DevicePipelineType(value)


# ---- typing ------------------------------------------------------------------------------------

_KEY = "nvmath.device.pipeline."


def _check_index(where: str, index: int, arg) -> None:
    if not isinstance(arg, types.Integer):
        raise TypingError(f"{where} argument {index} must be an integer tile index, got {arg}.")


def _same(where: str, what: str, arg, owner: _PipelineTypeBase, cls) -> None:
    if not isinstance(arg, cls) or arg.description != owner.description:
        raise TypingError(
            f"{where} takes {what} of the same device pipeline ({owner.description.describe()}), got {arg}."
        )


@infer_getattr
class DevicePipelineAttributes(AttributeTemplate):
    """``dp.get_tile(smem, idx, idy)`` and ``dp.reset_tile(tile, idx, idy)`` in kernels."""

    key = DevicePipelineType

    @bound_function(_KEY + "get_tile")
    def resolve_get_tile(self, dp: DevicePipelineType, args, kws):
        where = "DevicePipeline.get_tile(smem, idx, idy)"
        if kws or len(args) != 3:
            raise TypingError(f"{where} takes three positional arguments, got {args} {kws or ''}")
        smem = args[0]
        if not isinstance(smem, types.Array) or smem.ndim != 1:
            raise TypingError(
                f"{where} argument 0 must be a 1-D shared-memory array of at least dp.buffer_size bytes "
                f"(cuda.shared.array(0, np.uint8, alignment=1024)), got {smem}."
            )
        _check_index(where, 1, args[1])
        _check_index(where, 2, args[2])
        backend.prefetch(backend.PipelineCode(dp.description, backend.KERNEL_FUNCTIONS))
        return signature(TilePipelineType(dp.pipeline), *args)

    @bound_function(_KEY + "reset_tile")
    def resolve_reset_tile(self, dp: DevicePipelineType, args, kws):
        where = "DevicePipeline.reset_tile(tile, idx, idy)"
        if kws or len(args) != 3:
            raise TypingError(f"{where} takes three positional arguments, got {args} {kws or ''}")
        _same(where, "a tile pipeline", args[0], dp, TilePipelineType)
        _check_index(where, 1, args[1])
        _check_index(where, 2, args[2])
        return signature(types.void, *args)


def _no_args(name: str, args, kws) -> None:
    if args or kws:
        raise TypingError(f"{name}() takes no arguments, got {args} {kws or ''}")


@infer_getattr
class TilePipelineAttributes(AttributeTemplate):
    """``tile.execute(acc)``, ``tile.suggest_accumulator()``, ``tile.reset()``, ``tile.destroy()``."""

    key = TilePipelineType

    @bound_function(_KEY + "tile.execute")
    def resolve_execute(self, tile: TilePipelineType, args, kws):
        where = "TilePipeline.execute(acc)"
        if kws or len(args) != 1:
            raise TypingError(f"{where} takes one accumulator (tile.suggest_accumulator()), got {args} {kws or ''}")
        _same(where, "an accumulator (tile.suggest_accumulator())", args[0], tile, AccumulatorStateType)
        return signature(types.void, *args)

    @bound_function(_KEY + "tile.suggest_accumulator")
    def resolve_suggest_accumulator(self, tile: TilePipelineType, args, kws):
        _no_args("TilePipeline.suggest_accumulator", args, kws)
        return signature(AccumulatorStateType(tile.pipeline))

    @bound_function(_KEY + "tile.reset")
    def resolve_reset(self, tile: TilePipelineType, args, kws):
        _no_args("TilePipeline.reset", args, kws)
        return signature(types.void)

    @bound_function(_KEY + "tile.destroy")
    def resolve_destroy(self, tile: TilePipelineType, args, kws):
        _no_args("TilePipeline.destroy", args, kws)
        return signature(types.void)


@infer_getattr
class AccumulatorStateAttributes(AttributeTemplate):
    """``acc.store(gmem_c)``, ``acc.finish()``, ``acc.clear()``, ``acc.destroy()`` of a pipeline accumulator."""

    key = AccumulatorStateType

    @bound_function(_KEY + "acc.store")
    def resolve_store(self, acc: AccumulatorStateType, args, kws):
        where = "acc.store(gmem_c)"
        if kws or len(args) != 1:
            raise TypingError(f"{where} takes one global tensor of C, got {args} {kws or ''}")
        c = args[0]
        mm = acc.pipeline.matmul.description
        if not isinstance(c, OpaqueTensorType) or c.spec.kind != "gmem_c" or c.matmul.description != mm:
            raise TypingError(
                f"{where} argument 0 must be a global tensor of C of this Matmul "
                f"(make_tensor(c_tile, MM.get_layout_gmem_c(ldc))), got {c}."
            )
        return signature(types.void, *args)

    @bound_function(_KEY + "acc.finish")
    def resolve_finish(self, acc, args, kws):
        _no_args("acc.finish", args, kws)
        return signature(types.void)

    @bound_function(_KEY + "acc.clear")
    def resolve_clear(self, acc, args, kws):
        _no_args("acc.clear", args, kws)
        return signature(types.void)

    @bound_function(_KEY + "acc.destroy")
    def resolve_destroy(self, acc, args, kws):
        _no_args("acc.destroy", args, kws)
        return signature(types.void)


# ---- lowering ----------------------------------------------------------------------------------


def _call(context, builder, description, function: str, values) -> None:
    """Call ``function`` of the pipeline's code, marked ``alwaysinline`` at the call site.

    A kernel may call a function at several places (``reset_tile`` creates the tile pipeline
    again); the LTO inliner would then keep one out-of-line copy (a CALL in SASS).
    """
    request = backend.PipelineCode(description, backend.KERNEL_FUNCTIONS)
    symbol = request.symbol(function)
    code = LTOIRCode(
        backend.generate(request),
        f"nvmath_cublasdx_pipeline_{request.symbol('execute')[-16:]}",
        arch_specific=request.arch_specific,
    )
    context.active_code_library.add_linking_file(code)
    fnty = ir.FunctionType(ir.VoidType(), [v.type for v in values])
    fn = cgutils.get_or_insert_function(builder.module, fnty, symbol)
    builder.call(fn, list(values), attrs=("alwaysinline",))


def _opaque(builder, pointer) -> ir.Value:
    return builder.insert_value(ir.Constant(_OPAQUE, ir.Undefined), builder.bitcast(pointer, _I8P), 0)


def _local_state(builder, nbytes: int, alignment: int) -> ir.Value:
    with builder.goto_entry_block():
        slot = builder.alloca(ir.ArrayType(ir.IntType(8), max(nbytes, 1)))
        slot.align = max(alignment, _STATE_ALIGNMENT)
    return builder.bitcast(slot, _I8P)


def _int_pointer(builder, value) -> ir.Value:
    if value.type != _I32:
        value = builder.trunc(value, _I32) if value.type.width > 32 else builder.sext(value, _I32)
    slot = cgutils.alloca_once(builder, _I32)
    builder.store(value, slot)
    return slot


def _struct(context, builder, ty, value=None):
    return cgutils.create_struct_proxy(ty)(context, builder, value=value)


def _create_tile(context, builder, tile, dp_state, smem, idx, idy, description) -> None:
    _call(
        context,
        builder,
        description,
        "tile_create",
        [_opaque(builder, dp_state), _opaque(builder, tile.state), builder.bitcast(smem, _I8P), idx, idy],
    )


@lower_builtin(_KEY + "get_tile", DevicePipelineType, types.Array, types.Integer, types.Integer)
def _lower_get_tile(context, builder, sig, args):
    dp_type, smem_type = sig.args[0], sig.args[1]
    traits = dp_type.pipeline.traits
    tile = _struct(context, builder, sig.return_type)
    tile.state = _local_state(builder, traits.tile_storage_bytes, traits.tile_storage_alignment)
    tile.device = _struct(context, builder, dp_type, args[0]).state
    tile.smem = builder.bitcast(_struct(context, builder, smem_type, args[1]).data, _I8P)
    idx, idy = _int_pointer(builder, args[2]), _int_pointer(builder, args[3])
    _create_tile(context, builder, tile, tile.device, tile.smem, idx, idy, dp_type.description)
    return tile._getvalue()


def _barrier(builder) -> None:
    fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), []), "llvm.nvvm.barrier0")
    builder.call(fn, [])


@lower_builtin(_KEY + "reset_tile", DevicePipelineType, TilePipelineType, types.Integer, types.Integer)
def _lower_reset_tile(context, builder, sig, args):
    dp_type = sig.args[0]
    tile = _struct(context, builder, sig.args[1], args[1])
    dp_state = _struct(context, builder, dp_type, args[0]).state
    _barrier(builder)  # every thread is done with the old tile's stages
    _call(context, builder, dp_type.description, "tile_destroy", [_opaque(builder, tile.state)])
    idx, idy = _int_pointer(builder, args[2]), _int_pointer(builder, args[3])
    _create_tile(context, builder, tile, dp_state, tile.smem, idx, idy, dp_type.description)
    return context.get_dummy_value()


@lower_builtin(_KEY + "tile.execute", TilePipelineType, AccumulatorStateType)
def _lower_execute(context, builder, sig, args):
    tile = _struct(context, builder, sig.args[0], args[0])
    acc = _struct(context, builder, sig.args[1], args[1])
    _call(
        context,
        builder,
        sig.args[0].description,
        "execute",
        [_opaque(builder, tile.state), _opaque(builder, acc.state)],
    )
    return context.get_dummy_value()


@lower_builtin(_KEY + "tile.suggest_accumulator", TilePipelineType)
def _lower_suggest_accumulator(context, builder, sig, args):
    tile_type = sig.args[0]
    traits = tile_type.pipeline.traits
    tile = _struct(context, builder, tile_type, args[0])
    acc = _struct(context, builder, sig.return_type)
    acc.state = _local_state(builder, traits.accumulator_storage_bytes, traits.accumulator_alignment)
    acc.tile = tile.state
    d = tile_type.description
    _call(context, builder, d, "accumulator_create", [_opaque(builder, tile.state), _opaque(builder, acc.state)])
    _call(context, builder, d, "accumulator_clear", [_opaque(builder, acc.state)])
    return acc._getvalue()


def _tile_method(function: str):
    def lower(context, builder, sig, args):
        tile = _struct(context, builder, sig.args[0], args[0])
        _call(context, builder, sig.args[0].description, function, [_opaque(builder, tile.state)])
        return context.get_dummy_value()

    return lower


lower_builtin(_KEY + "tile.reset", TilePipelineType)(_tile_method("tile_reset"))
lower_builtin(_KEY + "tile.destroy", TilePipelineType)(_tile_method("tile_destroy"))


def _accumulator_method(function: str):
    def lower(context, builder, sig, args):
        acc = _struct(context, builder, sig.args[0], args[0])
        _call(context, builder, sig.args[0].description, function, [_opaque(builder, acc.state)])
        return context.get_dummy_value()

    return lower


lower_builtin(_KEY + "acc.finish", AccumulatorStateType)(_accumulator_method("accumulator_finish"))
lower_builtin(_KEY + "acc.clear", AccumulatorStateType)(_accumulator_method("accumulator_clear"))
lower_builtin(_KEY + "acc.destroy", AccumulatorStateType)(_accumulator_method("accumulator_destroy"))


@lower_builtin(_KEY + "acc.store", AccumulatorStateType, OpaqueTensorType)
def _lower_store(context, builder, sig, args):
    acc_type, c_type = sig.args
    acc = _struct(context, builder, acc_type, args[0])
    d = acc_type.description
    _call(context, builder, d, "accumulator_finish", [_opaque(builder, acc.state)])
    c = tensor_abi_value(context, builder, c_type, args[1])
    _call(context, builder, d, "accumulator_store", [_opaque(builder, acc.state), c])
    return context.get_dummy_value()
