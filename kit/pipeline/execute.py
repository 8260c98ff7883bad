"""Execute a parameterised notebook headlessly with papermill, in a fresh kernel."""

from __future__ import annotations

from pathlib import Path

KERNEL = "python3"


def execute(notebook: str | Path, output: str | Path, parameters: dict | None = None, *,
            cwd: str | Path | None = None, timeout: int = 600) -> Path:
    """Run ``notebook`` top to bottom with ``parameters`` injected after its ``parameters`` cell and
    save the executed copy to ``output`` (folders created). A failing cell raises papermill's
    ``PapermillExecutionError``; the output notebook is still written, showing where it stopped."""
    import papermill as pm

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(
        str(notebook),
        str(output),
        parameters=parameters or {},
        kernel_name=KERNEL,
        cwd=str(cwd) if cwd else None,
        progress_bar=False,
        execution_timeout=timeout,
    )
    return output
