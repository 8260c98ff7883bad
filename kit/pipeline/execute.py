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
    from jupyter_core.utils import run_sync

    from kit.pipeline.kernel import kernel_manager

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    km = kernel_manager(KERNEL)
    try:
        pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters or {},
            kernel_name=KERNEL,
            km=km,
            cwd=str(cwd) if cwd else None,
            progress_bar=False,
            execution_timeout=timeout,
        )
    finally:  # nbclient leaves a kernel it did not start running
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    return output
