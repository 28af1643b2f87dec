// The API's password rule, repeated here so forms can say it before a round trip (the API still decides).
export const MIN_PASSWORD = 10;
