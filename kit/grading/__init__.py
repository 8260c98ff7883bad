"""Graded exercises: author → release → check → grade in parallel → gradebook → feedback.

- :mod:`kit.grading.authoring` reads master notebooks (nbgrader markers, points in cell metadata), writes
  release notebooks and the grading spec (:mod:`kit.grading.spec`);
- :mod:`kit.grading.exercise` is the trainee side: personal data variant (:mod:`kit.grading.variants`),
  prompts, ``check("q1")``;
- :mod:`kit.grading.expect` judges one answer and explains in the trainee's language (public and hidden tests);
- :mod:`kit.grading.runner` executes a submission with papermill in a sandboxed kernel (:mod:`kit.grading.sandbox`)
  and collects its answers (:mod:`kit.grading.answers`);
- :mod:`kit.grading.autograde` runs the tests on those answers, outside the trainee's kernel;
- :mod:`kit.grading.gradebook` stores one row per trainee × question (SQLAlchemy); :mod:`kit.grading.manual`
  round-trips manual scores through CSV; :mod:`kit.grading.feedback` writes one HTML page per trainee;
- :mod:`kit.grading.batch` grades a folder of submissions on any executor, resumably; :mod:`kit.grading.cli`
  is ``kit assign`` and ``kit grade``. Results travel as :mod:`kit.grading.results`.
"""
