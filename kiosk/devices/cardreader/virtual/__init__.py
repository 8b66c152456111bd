"""A virtual CCCD written from ICAO 9303 and the domain notes: the card side of the eMRTD
applet (files, PACE-CAN/MRZ, BAC, secure messaging, short and extended reads) with fault
switches, usable in-process at the APDU boundary or as a vpcd card in a real pcscd."""

from .card import FAULTS, LinkDropped, VirtualCard  # noqa: F401
from .person import Person, load_person, sample_person_path  # noqa: F401
