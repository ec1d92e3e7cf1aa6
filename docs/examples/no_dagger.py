"""My variant: the threads proposal's model without (†) of sc-last-visible (docs/models.md).

    weakwasm litmus --model docs/examples/no_dagger.py tests/litmus/table/Dagger.litmus
    weakwasm hunt sc_drf --model docs/examples/no_dagger.py
"""

from semantics.memory.model import get_model

MODEL = get_model("wasm").without("sc-last-visible-dagger", name="no-dagger")
