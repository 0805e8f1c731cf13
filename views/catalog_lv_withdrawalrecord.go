package views

// catalogLVWithdrawalRecord is the Latvian of a withdrawal's record for a
// complaint (the printable page and its link on the return's page). init
// adds it to catalogLV, refusing a text that another part translates too.
var catalogLVWithdrawalRecord = map[string]string{
	"Withdrawal record %s":                  "Atteikuma reģistrs %s",
	"Record of withdrawal %s":               "Atteikuma %s reģistrs",
	"Record for a complaint":                "Reģistrs sūdzības izskatīšanai",
	"as JSON":                               "JSON formātā",
	"Download as JSON":                      "Lejupielādēt JSON formātā",
	"Made on %s from the portal’s records.": "Sagatavots %s no portāla ierakstiem.",
	"Trader":                        "Tirgotājs",
	"Store":                         "Veikals",
	"Consumer":                      "Patērētājs",
	"Statement of withdrawal":       "Paziņojums par atteikumu",
	"None given (none is required)": "Nav norādīts (nav obligāts)",
	"Acknowledgement":               "Apstiprinājums",
	"No acknowledgement was queued for this withdrawal.":                                                       "Šim atteikumam apstiprinājums netika sagatavots nosūtīšanai.",
	"Not counted now: the return is refunded, or Shopify did not answer. The refunds below say what was paid.": "Pašlaik nav aprēķināta: atgriešana ir atmaksāta vai Shopify neatbildēja. Zemāk norādītās atmaksas parāda, kas samaksāts.",
	"No refund has been made yet.":                                                                             "Atmaksa vēl nav veikta.",
	"Time":                                                                                                     "Laiks",
	"Of it delivery":                                                                                           "Tai skaitā piegāde",
	"Shopify’s id":                                                                                             "Shopify identifikators",
	"Goods sent back":                                                                                          "Atpakaļ nosūtītās preces",
	"Parcel":                                                                                                   "Sūtījums",
	"%s, tracking %s, told on %s":                                                                              "%s, izsekošanas numurs %s, paziņots %s",
	"The customer has not told of a parcel.":                                                                   "Klients nav paziņojis par sūtījumu.",
	"Not marked received.":                                                                                     "Nav atzīmēts kā saņemts.",
	"Log of this withdrawal":                                                                                   "Šī atteikuma žurnāls",
	"The log verifies: its %d entry is chained to the one before and unchanged.":                     "Žurnāls ir pārbaudīts: tā %d ieraksts ir saistīts ar iepriekšējo un nav mainīts.",
	"The log verifies: all %d entries are chained, each to the one before, and unchanged.":           "Žurnāls ir pārbaudīts: visi %d ieraksti ir saistīti, katrs ar iepriekšējo, un nav mainīti.",
	"The log does not verify: entry %d is missing.":                                                  "Žurnāls neiztur pārbaudi: trūkst ieraksta %d.",
	"The log does not verify: entry %d does not follow the entry before it.":                         "Žurnāls neiztur pārbaudi: ieraksts %d neseko iepriekšējam ierakstam.",
	"The log does not verify: “%s” of withdrawal %s is in the database but has no entry in the log.": "Žurnāls neiztur pārbaudi: „%s“ atteikumam %s ir datubāzē, bet žurnālā tam nav ieraksta.",
	"The log does not verify: entry %d is not keyed, so its hash does not show it unchanged.":        "Žurnāls neiztur pārbaudi: ieraksts %d nav atslēgots, tāpēc tā jaucējkods nepierāda, ka tas nav mainīts.",
	"The log does not verify: entry %d was changed after it was written.":                            "Žurnāls neiztur pārbaudi: ieraksts %d ir mainīts pēc tā ierakstīšanas.",
	"Each entry’s hash is HMAC-SHA256, with the log’s key, over its format, sequence number, time, return code, kind, payload and the previous entry’s hash; the JSON download holds the payloads to recompute them with the key.": "Katra ieraksta jaucējkods ir HMAC-SHA256 ar žurnāla atslēgu no tā formāta, kārtas numura, laika, atgriešanas koda, veida, satura un iepriekšējā ieraksta jaucējkoda; JSON lejupielādē ir saturs, lai tos pārrēķinātu ar atslēgu.",
	"No.":                  "Nr.",
	"Hash":                 "Jaucējkods",
	"Previous hash":        "Iepriekšējais jaucējkods",
	"Acknowledgement sent": "Apstiprinājums nosūtīts",
	"Refund made":          "Atmaksa veikta",
	"Goods received":       "Preces saņemtas",
	"Parcel sent back":     "Sūtījums nosūtīts atpakaļ",
	"This return is not a withdrawal: it has no withdrawal record.": "Šī atgriešana nav atteikums: tai nav atteikuma reģistra.",
}

func init() { addCatalogPart(catalogLVWithdrawalRecord) }
