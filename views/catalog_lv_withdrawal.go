package views

// catalogLVWithdrawal is the withdrawal function's part of the Latvian
// catalogue (Directive 2011/83/EU as Latvia's law words it: atteikuma
// tiesības, atteikties no līguma). init adds it to catalogLV, refusing a
// text that another part translates too.
var catalogLVWithdrawal = map[string]string{
	"Withdraw from the contract":            "Atteikties no līguma",
	"I withdraw from the contract":          "Es atsakos no līguma",
	"You withdrew from the contract":        "Jūs atteicāties no līguma",
	"Withdrawal":                            "Atteikums",
	"Statutory withdrawal":                  "Atteikuma tiesības (likumā noteiktās)",
	"Legal guarantee":                       "Likumiskā garantija",
	"Commercial return":                     "Atgriešana pēc veikala noteikumiem",
	"Start a return":                        "Pieteikt atgriešanu",
	"Statement":                             "Paziņojums",
	"Your statement":                        "Jūsu paziņojums",
	"Your name":                             "Jūsu vārds, uzvārds",
	"Made on":                               "Paziņots",
	"Made through":                          "Paziņošanas veids",
	"Reference":                             "Atsauce",
	"Email":                                 "E-pasts",
	"Post":                                  "Pasts",
	"Continue":                              "Turpināt",
	"Confirm withdrawal":                    "Apstiprināt atteikumu",
	"Change the statement":                  "Mainīt paziņojumu",
	"Model withdrawal form":                 "Atteikuma veidlapas paraugs",
	"Email address for the acknowledgement": "E-pasta adrese apstiprinājumam",
	"None given (none is needed)":           "Nav norādīts (nav jānorāda)",
	"Choose at least one item.":             "Izvēlieties vismaz vienu preci.",
	"Enter your name.":                      "Ievadiet savu vārdu un uzvārdu.",
	"Enter your name on one line, up to %d characters.":                                                   "Ievadiet vārdu un uzvārdu vienā rindā, līdz %d rakstzīmēm.",
	"This item cannot be withdrawn from.":                                                                 "No šīs preces nevar atteikties.",
	"The withdrawal period of this order is over.":                                                        "Šī pasūtījuma atteikuma termiņš ir beidzies.",
	"The withdrawal period of order %s ended on %s.":                                                      "Pasūtījuma %s atteikuma termiņš beidzās %s.",
	"You can still return items under our own return policy.":                                             "Preces joprojām varat atgriezt saskaņā ar mūsu veikala atgriešanas noteikumiem.",
	"None of the items on this order can be withdrawn from.":                                              "No neviena šī pasūtījuma preces nevar atteikties.",
	"Which items do you withdraw from?":                                                                   "No kurām precēm jūs atsakāties?",
	"Check your statement of withdrawal":                                                                  "Pārbaudiet savu paziņojumu par atteikumu",
	"Reason (optional — you do not need to give one)":                                                     "Iemesls (nav obligāts — tas jums nav jānorāda)",
	"Please send the items back within 14 days.":                                                          "Lūdzu, nosūtiet preces atpakaļ 14 dienu laikā.",
	"We have received your withdrawal":                                                                    "Esam saņēmuši jūsu atteikumu",
	"The withdrawal function on this site":                                                                "Atteikuma funkcija šajā vietnē",
	"Withdrawal %s: we have received your statement of withdrawal":                                        "Atteikums %s: esam saņēmuši jūsu paziņojumu par atteikumu",
	"I withdraw from my contract of sale of the goods below.":                                             "Ar šo paziņoju, ka atsakos no līguma par turpmāk norādīto preču pirkumu.",
	"You may withdraw from your contract until %s, without giving a reason.":                              "No līguma varat atteikties līdz %s, nenorādot iemeslu.",
	"Prefer to write to us? Download the model withdrawal form, fill it in and send it by email or post.": "Vēlaties mums rakstīt? Lejupielādējiet atteikuma veidlapas paraugu, aizpildiet to un nosūtiet pa e-pastu vai pastu.",
	"You may withdraw from your contract without giving a reason, now and until 14 days after the last item of your order arrives.":                                                                                                            "No līguma varat atteikties, nenorādot iemeslu, jau tagad un līdz 14 dienām pēc tam, kad saņemta pēdējā pasūtījuma prece.",
	"Items not shipped yet cannot be chosen here. You may withdraw from them before they arrive: write to us, or send us the model withdrawal form below, and we will register your statement, cancel them and refund what you paid for them.": "Vēl nenosūtītās preces šeit nevar izvēlēties. No tām varat atteikties jau pirms to saņemšanas: rakstiet mums vai nosūtiet mums zemāk pieejamo atteikuma veidlapas paraugu, un mēs reģistrēsim jūsu paziņojumu, atcelsim šīs preces un atmaksāsim par tām samaksāto.",
	"Not shipped yet: to withdraw from it, write to us.":                                                                              "Vēl nav nosūtīta: lai no tās atteiktos, rakstiet mums.",
	"We have received your statement of withdrawal from the contract of order %s. You need to do nothing more for it to take effect.": "Esam saņēmuši jūsu paziņojumu par atteikšanos no pasūtījuma %s līguma. Lai tas stātos spēkā, jums nekas vairs nav jādara.",
	"We refund everything you paid for these items, with the standard delivery when you withdraw from the whole order, to the payment methods you used, within 14 days of your statement: by %s at the latest. We may wait with the refund until the items are back with us or you show us that you sent them.": "Mēs atmaksāsim visu, ko samaksājāt par šīm precēm, kopā ar standarta piegādes izmaksām, ja atsakāties no visa pasūtījuma, izmantojot tos pašus maksājuma veidus, 14 dienu laikā no jūsu paziņojuma: ne vēlāk kā %s. Atmaksu varam aizturēt, līdz preces ir atpakaļ pie mums vai jūs esat pierādījuši, ka tās nosūtījāt.",
	"Made to your specifications or personalised: the law excludes it from withdrawal.":        "Izgatavota pēc jūsu norādījumiem vai personalizēta: likums neparedz atteikuma tiesības.",
	"Perishable goods: the law excludes them from withdrawal.":                                 "Ātri bojājoša prece: likums neparedz atteikuma tiesības.",
	"Sealed for health or hygiene reasons: the law excludes it from withdrawal once unsealed.": "Veselības vai higiēnas apsvērumu dēļ aizzīmogota prece: pēc atvēršanas likums neparedz atteikuma tiesības.",
	"Enter the label of the withdrawal function.":                                              "Ievadiet atteikuma funkcijas saites tekstu.",
	"Enter a number of days from 0 to %d.":                                                     "Ievadiet dienu skaitu no 0 līdz %d.",
}

func init() {
	for en, lv := range catalogLVWithdrawal {
		if _, twice := catalogLV[en]; twice {
			panic("views: the Latvian catalogue translates " + en + " twice")
		}
		catalogLV[en] = lv
	}
}
