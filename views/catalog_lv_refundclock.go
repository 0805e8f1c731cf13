package views

// catalogLVRefundClock is the Latvian of the staff's refund clock of a
// withdrawal (the return page, the refund form, the queue and the reminder
// email): atteikums, atmaksas termiņš, atmaksājamā summa. init adds it to
// catalogLV (addCatalogPart: one text, one translation).
var catalogLVRefundClock = map[string]string{
	"Withdrawal and its refund deadline":         "Atteikums un tā atmaksas termiņš",
	"Statement by":                               "Paziņojuma iesniedzējs",
	"Refund deadline":                            "Atmaksas termiņš",
	"Amount due":                                 "Atmaksājamā summa",
	"Withholding the refund":                     "Atmaksas aizturēšana",
	"Refunded: the clock has stopped.":           "Atmaksāts: termiņš vairs netiek skaitīts.",
	"Passed %d day ago: refund now.":             "Beidzās pirms %d dienas: atmaksājiet tūlīt.",
	"Passed %d days ago: refund now.":            "Beidzās pirms %d dienām: atmaksājiet tūlīt.",
	"The last day is today.":                     "Pēdējā diena ir šodien.",
	"%d day left.":                               "Atlikusi %d diena.",
	"%d days left.":                              "Atlikušas %d dienas.",
	"items %s + delivery %s = %s":                "preces %s + piegāde %s = %s",
	"items %s; no delivery: not the whole order": "preces %s; bez piegādes: ne viss pasūtījums",
	"items %s; no delivery: the settings leave delivery out of refunds, which the law does not allow":      "preces %s; bez piegādes: iestatījumi izslēdz piegādi no atmaksām, ko likums neatļauj",
	"items %s; the delivery is refunded already":                                                           "preces %s; piegāde jau atmaksāta",
	"items %s; no delivery was paid":                                                                       "preces %s; par piegādi nav maksāts",
	"The customer paid %s for delivery; the law owes the cheapest standard delivery only.":                 "Klients par piegādi samaksāja %s; likums paredz atmaksāt tikai lētāko standarta piegādi.",
	"May be withheld for now: the goods are not back and the customer has shown no proof of sending them.": "Pagaidām var aizturēt: preces nav atpakaļ, un klients nav pierādījis, ka tās nosūtījis.",
	"May not be withheld: the customer has shown the parcel was sent (tracking %s).":                       "Nevar aizturēt: klients pierādījis, ka sūtījums nosūtīts (izsekošanas numurs %s).",
	"May not be withheld: the goods are back.":                                                             "Nevar aizturēt: preces ir atpakaļ.",
	"The amount due of the withdrawal: %s.":                                                                "Atteikuma atmaksājamā summa: %s.",
	"Filter by legal basis":                                                                                "Filtrēt pēc juridiskā pamata",
	"Every return":                                                                                         "Visas atgriešanas",
	"Withdrawals":                                                                                          "Atteikumi",
	"Withdrawals by legal deadline, soonest first":                                                         "Atteikumi pēc likumā noteiktā termiņa, tuvākie vispirms",
	"Refund deadline %s passed":                                                                            "Atmaksas termiņš %s ir beidzies",
	"Refund by %s":                                                                                         "Atmaksāt līdz %s",
	"Withdrawals to refund, legal deadline soonest first":                                                  "Atmaksājamie atteikumi, tuvākais termiņš vispirms",
	"Withdrawals with status %s, legal deadline soonest first":                                             "Atteikumi ar statusu %s, tuvākais termiņš vispirms",
	"Withdrawals, newest first":                                                                            "Atteikumi, jaunākie vispirms",
	"Withdrawal refund deadline near (to staff)":                                                           "Tuvojas atteikuma atmaksas termiņš (darbiniekiem)",
	"Withdrawal %s of order %s: refund by %s":                                                              "Atteikums %s pasūtījumam %s: atmaksāt līdz %s",
	"A withdrawal’s refund deadline is near":                                                               "Tuvojas atteikuma atmaksas termiņš",
	"The law requires the refund by %s.":                                                                   "Likums prasa atmaksāt līdz %s.",
	"The customer withdrew from the contract of order %s on %s. The law requires the refund within 14 days of the statement: by %s at the latest. It may be withheld only until the goods are back or the customer has shown that they were sent.": "Pasūtījumam %s klients atteicās no līguma %s. Likums prasa atmaksāt 14 dienu laikā no paziņojuma: ne vēlāk kā %s. Atmaksu drīkst aizturēt tikai līdz brīdim, kad preces ir atpakaļ vai klients pierādījis, ka tās nosūtījis.",
	"You get these reminders because this address is the staff notification email in the backoffice settings.":                                                                                                                                     "Šos atgādinājumus saņemat, jo šī adrese ir darbinieku paziņojumu e-pasts pārvaldības iestatījumos.",
}

func init() { addCatalogPart(catalogLVRefundClock) }
