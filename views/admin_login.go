package views

// LoginPage is the staff sign-in form.
type LoginPage struct {
	AdminPage
	// Next is the backoffice page to go to once signed in; "" for the queue.
	Next string
	// Form holds the email address to show, and as its Error the one message
	// of every failed sign-in, or that there were too many attempts: it marks
	// both fields, since a failure never says which of them was wrong.
	Form Form
}
