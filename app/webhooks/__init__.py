"""What every Twilio webhook shares: signature validation and the URL Twilio signed."""
