"""A ``wasmtime.SharedMemory`` that can be imported (wasmtime-py issue 318).

wasmtime-py's ``SharedMemory._as_extern`` builds the extern union with
``sharedmemory=ctypes.pointer(self.ptr())``: ``self.ptr()`` already is the
``POINTER(wasmtime_sharedmemory_t)`` the union's field holds, so wrapping it again gives a
pointer to a pointer, and every import of a shared memory (``Instance``, ``Linker.define``)
fails with "incompatible types, LP_LP_wasmtime_sharedmemory instance instead of
LP_wasmtime_sharedmemory instance". The subclass passes the pointer itself. Drop it once the
bindings are fixed (tests/unit/test_engines.py has a test that fails then).
"""

from __future__ import annotations

import ctypes

import wasmtime
from wasmtime import _ffi as ffi


class ImportableSharedMemory(wasmtime.SharedMemory):
    def _as_extern(self) -> ffi.wasmtime_extern_t:
        union = ffi.wasmtime_extern_union(sharedmemory=self.ptr())
        return ffi.wasmtime_extern_t(ffi.WASMTIME_EXTERN_SHAREDMEMORY, union)

    def address(self) -> int:
        """The host address of byte 0 (``data_ptr`` is a ``POINTER(c_ubyte)``)."""
        return ctypes.addressof(self.data_ptr().contents)


def threads_engine() -> wasmtime.Engine:
    """An engine with the threads proposal and shared memories enabled."""
    config = wasmtime.Config()
    config.wasm_threads = True
    config.shared_memory = True
    return wasmtime.Engine(config)


def shared_memory(engine: wasmtime.Engine, pages: int) -> ImportableSharedMemory:
    return ImportableSharedMemory(engine, wasmtime.MemoryType(wasmtime.Limits(pages, pages),
                                                              shared=True))
