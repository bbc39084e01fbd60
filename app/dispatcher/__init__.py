"""The outbox dispatcher as a long-lived process (`python -m app.dispatcher`), above messaging and start-up."""
