"""Station data integrity: interference, faults and falsification - which station to check.

Besides pollution sources, an abnormal reading can come from the station itself: water
sprayed or fog cannons run near the inlet, a sampler blocked or moved, a stuck analyser,
values edited, capped or copied. China's environment ministry has prosecuted such cases
(Xi'an 2016, Linfen 2017-18). This subpackage screens a whole network for them.

How it works
------------
1. **Expected value** of every station-hour from what the station cannot easily touch
   (:mod:`.expected`): its neighbours (robust weighted prediction on log concentrations with
   station effects), falling back to its CO (interference at a PM inlet leaves the gas
   analysers alone) and its own hour-of-day history. Residuals are standardised per station,
   by concentration level and by how much the neighbours disagree in that hour.
2. **Detectors** (:mod:`.scan`, :mod:`.runs`, :mod:`.candidates`): a multi-scale scan with
   change-point segmentation of the residuals of PM2.5, PM10, both together and their
   difference (suppression, capping, drift, spikes, ratio breaks), with the part of the PM
   residual shared by the station's own CO/NO2 taken out; runs of repeated values
   (flatlines) and of values equal to a neighbour's or to the station's own past (copies);
   hours with PM2.5 above PM10.
3. **Events** (:mod:`.classify`, :mod:`.evidence`): overlapping detections of one station
   are joined, given a kind and a sentence of evidence with the numbers, and ranked by a
   score on one scale for all detectors (:mod:`.calibrate`); a copied pair is ranked once,
   at the station that looks like the copier.
4. **Network screening** (:mod:`.screening`, :mod:`.summary`): bunching of daily PM2.5 and
   AQI just below 75 µg/m³ / AQI 100 per city and station (McCrary density test, binomial
   test), dips at fixed hours, missing data concentrated in polluted hours.
5. **Outputs** (:mod:`.report`): "check the station" rows for the priority list, and
   ``events.csv``, ``stations.csv``, ``manifest.json`` (``geoair integrity`` on the command
   line). :func:`geoair.plot.integrity.plot_integrity` draws a station against its band.

Limits - read before acting
---------------------------
An event is a reason to check a station, never a finding of falsification. Honest stations
are flagged too:

- an analyser fault (broken filter tape, pump failure) drops PM to the instrument floor or
  freezes it - the same signatures as a blocked inlet or an edited series; a stuck PM
  analyser repeating an ordinary reading for a day while its gases and neighbours move
  cannot be told from a held value, and such faults fill much of the top of a real list;
- a very local source or sink (a construction site, a street canyon, a mountain station
  above the inversion, fireworks in one district) makes a station part from its neighbours
  for hours to days;
- a station relocated, recalibrated or re-equipped changes its relation to its neighbours
  for good: an event runs up to the start or end of the data;
- two stations a few kilometres apart can honestly show equal values for some hours at low
  concentrations; which one of a copied pair is the copier is judged from indirect cues
  (right for about 9 in 10 injected copies, 3 in 4 at lag 0);
- dust episodes change the PM2.5/PM10 ratio regionally, and stations see them unevenly;
- coordinated interference at all stations of a city moves the neighbours too and is
  invisible to neighbour comparisons; only the network bunching tests and other evidence
  (cameras, logs, audits) can speak to it.

See ``docs/methods/integrity.md`` for the validation on injected events and the real
events found in the bundled January 2019 data.
"""

from .detect import EVENT_COLUMNS, IntegrityScreen, detect_integrity
from .report import integrity_priority_rows, write_integrity
from .screening import binomial_test, bunching_table, mccrary_test
from .summary import LEVELS, network_screening, station_summary

__all__ = ["IntegrityScreen", "detect_integrity", "EVENT_COLUMNS", "station_summary",
           "network_screening", "integrity_priority_rows", "write_integrity", "mccrary_test",
           "binomial_test", "bunching_table", "LEVELS"]
