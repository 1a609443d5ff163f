"""Code shared by the cnvbeacon services: settings, storage, messaging, models."""
