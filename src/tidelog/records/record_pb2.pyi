from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Record(_message.Message):
    __slots__ = ("seq", "header", "run_start", "key", "history", "history_block", "summary", "config", "metric", "console", "stats", "file", "exit", "footer", "notice", "resume", "mark")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RUN_START_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    HISTORY_BLOCK_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    CONSOLE_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    FILE_FIELD_NUMBER: _ClassVar[int]
    EXIT_FIELD_NUMBER: _ClassVar[int]
    FOOTER_FIELD_NUMBER: _ClassVar[int]
    NOTICE_FIELD_NUMBER: _ClassVar[int]
    RESUME_FIELD_NUMBER: _ClassVar[int]
    MARK_FIELD_NUMBER: _ClassVar[int]
    seq: int
    header: Header
    run_start: RunStart
    key: KeyDef
    history: HistoryRow
    history_block: HistoryBlock
    summary: SummaryUpdate
    config: ConfigUpdate
    metric: MetricDef
    console: ConsoleOutput
    stats: SystemStats
    file: FileRecord
    exit: RunExit
    footer: Footer
    notice: Notice
    resume: Resume
    mark: TransportMark
    def __init__(self, seq: _Optional[int] = ..., header: _Optional[_Union[Header, _Mapping]] = ..., run_start: _Optional[_Union[RunStart, _Mapping]] = ..., key: _Optional[_Union[KeyDef, _Mapping]] = ..., history: _Optional[_Union[HistoryRow, _Mapping]] = ..., history_block: _Optional[_Union[HistoryBlock, _Mapping]] = ..., summary: _Optional[_Union[SummaryUpdate, _Mapping]] = ..., config: _Optional[_Union[ConfigUpdate, _Mapping]] = ..., metric: _Optional[_Union[MetricDef, _Mapping]] = ..., console: _Optional[_Union[ConsoleOutput, _Mapping]] = ..., stats: _Optional[_Union[SystemStats, _Mapping]] = ..., file: _Optional[_Union[FileRecord, _Mapping]] = ..., exit: _Optional[_Union[RunExit, _Mapping]] = ..., footer: _Optional[_Union[Footer, _Mapping]] = ..., notice: _Optional[_Union[Notice, _Mapping]] = ..., resume: _Optional[_Union[Resume, _Mapping]] = ..., mark: _Optional[_Union[TransportMark, _Mapping]] = ...) -> None: ...

class Header(_message.Message):
    __slots__ = ("tidelog_version", "schema_version")
    TIDELOG_VERSION_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    tidelog_version: str
    schema_version: int
    def __init__(self, tidelog_version: _Optional[str] = ..., schema_version: _Optional[int] = ...) -> None: ...

class RunStart(_message.Message):
    __slots__ = ("run_id", "project", "name", "entity", "group", "job_type", "notes", "tags", "start_time", "host", "pid", "program", "args", "python_version", "mode")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    JOB_TYPE_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    PYTHON_VERSION_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    project: str
    name: str
    entity: str
    group: str
    job_type: str
    notes: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    start_time: float
    host: str
    pid: int
    program: str
    args: _containers.RepeatedScalarFieldContainer[str]
    python_version: str
    mode: str
    def __init__(self, run_id: _Optional[str] = ..., project: _Optional[str] = ..., name: _Optional[str] = ..., entity: _Optional[str] = ..., group: _Optional[str] = ..., job_type: _Optional[str] = ..., notes: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., start_time: _Optional[float] = ..., host: _Optional[str] = ..., pid: _Optional[int] = ..., program: _Optional[str] = ..., args: _Optional[_Iterable[str]] = ..., python_version: _Optional[str] = ..., mode: _Optional[str] = ...) -> None: ...

class Resume(_message.Message):
    __slots__ = ("time", "pid", "next_step")
    TIME_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    NEXT_STEP_FIELD_NUMBER: _ClassVar[int]
    time: float
    pid: int
    next_step: int
    def __init__(self, time: _Optional[float] = ..., pid: _Optional[int] = ..., next_step: _Optional[int] = ...) -> None: ...

class KeyDef(_message.Message):
    __slots__ = ("id", "name")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    id: int
    name: str
    def __init__(self, id: _Optional[int] = ..., name: _Optional[str] = ...) -> None: ...

class Value(_message.Message):
    __slots__ = ("num", "int", "bool", "str", "json")
    NUM_FIELD_NUMBER: _ClassVar[int]
    INT_FIELD_NUMBER: _ClassVar[int]
    BOOL_FIELD_NUMBER: _ClassVar[int]
    STR_FIELD_NUMBER: _ClassVar[int]
    JSON_FIELD_NUMBER: _ClassVar[int]
    num: float
    int: int
    bool: bool
    str: str
    json: str
    def __init__(self, num: _Optional[float] = ..., int: _Optional[int] = ..., bool: bool = ..., str: _Optional[str] = ..., json: _Optional[str] = ...) -> None: ...

class Item(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: int
    value: Value
    def __init__(self, key: _Optional[int] = ..., value: _Optional[_Union[Value, _Mapping]] = ...) -> None: ...

class HistoryRow(_message.Message):
    __slots__ = ("step", "timestamp", "float_keys", "float_values", "int_keys", "int_values", "items")
    STEP_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    FLOAT_KEYS_FIELD_NUMBER: _ClassVar[int]
    FLOAT_VALUES_FIELD_NUMBER: _ClassVar[int]
    INT_KEYS_FIELD_NUMBER: _ClassVar[int]
    INT_VALUES_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    step: int
    timestamp: float
    float_keys: _containers.RepeatedScalarFieldContainer[int]
    float_values: _containers.RepeatedScalarFieldContainer[float]
    int_keys: _containers.RepeatedScalarFieldContainer[int]
    int_values: _containers.RepeatedScalarFieldContainer[int]
    items: _containers.RepeatedCompositeFieldContainer[Item]
    def __init__(self, step: _Optional[int] = ..., timestamp: _Optional[float] = ..., float_keys: _Optional[_Iterable[int]] = ..., float_values: _Optional[_Iterable[float]] = ..., int_keys: _Optional[_Iterable[int]] = ..., int_values: _Optional[_Iterable[int]] = ..., items: _Optional[_Iterable[_Union[Item, _Mapping]]] = ...) -> None: ...

class HistoryBlock(_message.Message):
    __slots__ = ("count", "steps", "timestamps_us", "float_keys", "float_columns", "int_keys", "int_columns")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMPS_US_FIELD_NUMBER: _ClassVar[int]
    FLOAT_KEYS_FIELD_NUMBER: _ClassVar[int]
    FLOAT_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    INT_KEYS_FIELD_NUMBER: _ClassVar[int]
    INT_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    count: int
    steps: bytes
    timestamps_us: bytes
    float_keys: _containers.RepeatedScalarFieldContainer[int]
    float_columns: bytes
    int_keys: _containers.RepeatedScalarFieldContainer[int]
    int_columns: bytes
    def __init__(self, count: _Optional[int] = ..., steps: _Optional[bytes] = ..., timestamps_us: _Optional[bytes] = ..., float_keys: _Optional[_Iterable[int]] = ..., float_columns: _Optional[bytes] = ..., int_keys: _Optional[_Iterable[int]] = ..., int_columns: _Optional[bytes] = ...) -> None: ...

class SummaryUpdate(_message.Message):
    __slots__ = ("set", "remove")
    SET_FIELD_NUMBER: _ClassVar[int]
    REMOVE_FIELD_NUMBER: _ClassVar[int]
    set: _containers.RepeatedCompositeFieldContainer[Item]
    remove: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, set: _Optional[_Iterable[_Union[Item, _Mapping]]] = ..., remove: _Optional[_Iterable[int]] = ...) -> None: ...

class ConfigUpdate(_message.Message):
    __slots__ = ("set", "remove")
    class SetEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SET_FIELD_NUMBER: _ClassVar[int]
    REMOVE_FIELD_NUMBER: _ClassVar[int]
    set: _containers.ScalarMap[str, str]
    remove: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, set: _Optional[_Mapping[str, str]] = ..., remove: _Optional[_Iterable[str]] = ...) -> None: ...

class MetricDef(_message.Message):
    __slots__ = ("name", "step_metric", "step_sync", "summary", "goal", "hidden")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STEP_METRIC_FIELD_NUMBER: _ClassVar[int]
    STEP_SYNC_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    GOAL_FIELD_NUMBER: _ClassVar[int]
    HIDDEN_FIELD_NUMBER: _ClassVar[int]
    name: str
    step_metric: str
    step_sync: bool
    summary: _containers.RepeatedScalarFieldContainer[str]
    goal: str
    hidden: bool
    def __init__(self, name: _Optional[str] = ..., step_metric: _Optional[str] = ..., step_sync: bool = ..., summary: _Optional[_Iterable[str]] = ..., goal: _Optional[str] = ..., hidden: bool = ...) -> None: ...

class ConsoleOutput(_message.Message):
    __slots__ = ("stream", "timestamp", "text")
    class Stream(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STDOUT: _ClassVar[ConsoleOutput.Stream]
        STDERR: _ClassVar[ConsoleOutput.Stream]
    STDOUT: ConsoleOutput.Stream
    STDERR: ConsoleOutput.Stream
    STREAM_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    stream: ConsoleOutput.Stream
    timestamp: float
    text: str
    def __init__(self, stream: _Optional[_Union[ConsoleOutput.Stream, str]] = ..., timestamp: _Optional[float] = ..., text: _Optional[str] = ...) -> None: ...

class SystemStats(_message.Message):
    __slots__ = ("timestamp", "stats")
    class StatsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    timestamp: float
    stats: _containers.ScalarMap[str, float]
    def __init__(self, timestamp: _Optional[float] = ..., stats: _Optional[_Mapping[str, float]] = ...) -> None: ...

class FileRecord(_message.Message):
    __slots__ = ("path", "sha256", "size", "kind")
    PATH_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    path: str
    sha256: str
    size: int
    kind: str
    def __init__(self, path: _Optional[str] = ..., sha256: _Optional[str] = ..., size: _Optional[int] = ..., kind: _Optional[str] = ...) -> None: ...

class RunExit(_message.Message):
    __slots__ = ("exit_code", "time", "state", "traceback")
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TRACEBACK_FIELD_NUMBER: _ClassVar[int]
    exit_code: int
    time: float
    state: str
    traceback: str
    def __init__(self, exit_code: _Optional[int] = ..., time: _Optional[float] = ..., state: _Optional[str] = ..., traceback: _Optional[str] = ...) -> None: ...

class Footer(_message.Message):
    __slots__ = ("records", "last_step")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    LAST_STEP_FIELD_NUMBER: _ClassVar[int]
    records: int
    last_step: int
    def __init__(self, records: _Optional[int] = ..., last_step: _Optional[int] = ...) -> None: ...

class Notice(_message.Message):
    __slots__ = ("level", "timestamp", "key", "message")
    class Level(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        INFO: _ClassVar[Notice.Level]
        WARNING: _ClassVar[Notice.Level]
        ERROR: _ClassVar[Notice.Level]
    INFO: Notice.Level
    WARNING: Notice.Level
    ERROR: Notice.Level
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    level: Notice.Level
    timestamp: float
    key: str
    message: str
    def __init__(self, level: _Optional[_Union[Notice.Level, str]] = ..., timestamp: _Optional[float] = ..., key: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class TransportMark(_message.Message):
    __slots__ = ("frame",)
    FRAME_FIELD_NUMBER: _ClassVar[int]
    frame: int
    def __init__(self, frame: _Optional[int] = ...) -> None: ...
