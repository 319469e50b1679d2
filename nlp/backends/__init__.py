"""Model backends of the classifier, registered by name in ``nlp.classifier.BACKENDS``."""
