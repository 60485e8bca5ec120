"""The `shared` group (every module here is marked `shared`): tests over the real material in
../shared, the five Community Care articles and the SciFact benchmark. `pytest` leaves them
out; `pytest -m shared` runs them (and `.ci/run` does) where ../shared sits beside the clone."""
