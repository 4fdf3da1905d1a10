"""Lexicon-based sentiment and language detection for German and English: deterministic, no downloads."""

from .analysis import SentimentResult, language_detect, sentiment_analyze, text_tokens

__all__ = ["SentimentResult", "language_detect", "sentiment_analyze", "text_tokens"]
