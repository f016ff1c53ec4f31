"""The number types of the input schemas and their strict base class (no I/O)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from aicost.model import NOT_BOOL

#: The largest figure a scenario may state (tokens, tasks, calls, dollars): far beyond any real
#: workload, and small enough that every product the engine forms stays a finite number.
MAX_FIGURE = 10**15
NonNeg = Annotated[float, Field(ge=0, le=MAX_FIGURE, allow_inf_nan=False), NOT_BOOL]
Pos = Annotated[float, Field(gt=0, le=MAX_FIGURE, allow_inf_nan=False), NOT_BOOL]
Prob = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False), NOT_BOOL]
Tokens = Annotated[float, Field(ge=0, le=MAX_FIGURE, allow_inf_nan=False), NOT_BOOL]


class Strict(BaseModel):
    # defer_build: the schema is built on first validation; a cached scenario needs none
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)


Factor = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False), NOT_BOOL]
