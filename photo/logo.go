package photo

import (
	"context"
	"fmt"

	"github.com/returnsportal/returns"
)

// Bounds of the store's logo. Every customer page loads it, as a request of its
// own beside a page of a few kilobytes, so it is kept small: the header shows
// it at most 48 pixels tall, and LogoMaxSide leaves room for a wide logo on a
// screen of three device pixels to the CSS pixel.
const (
	LogoMaxSide  = 480
	LogoMaxBytes = 100 << 10 // of the re-encoded logo
)

var _ returns.LogoProcessor = (*Processor)(nil)

// ProcessLogo checks an uploaded logo as Process checks a photo (by content,
// headers and memory before decoding, within the same limits of upload size
// and memory) and re-encodes it, scaled to at most LogoMaxSide pixels on its
// longest side: a PNG when it has transparency, a JPEG otherwise, without
// metadata. A logo that is still larger than LogoMaxBytes is refused.
func (p *Processor) ProcessLogo(ctx context.Context, upload returns.PhotoUpload) (returns.Photo, error) {
	var pl plan
	if err := p.check(upload, &pl, LogoMaxSide); err != nil {
		return returns.Photo{}, err
	}
	g := p.memoryGate()
	b := g.newBatch()
	defer g.endBatch(b)
	t := g.enter(b, pl.cost)
	defer g.leave(t)
	if err := t.wait(ctx); err != nil {
		return returns.Photo{}, fmt.Errorf("wait to decode logo: %w", err)
	}
	ph, err := p.render(&pl)
	if err != nil {
		return returns.Photo{}, err
	}
	if len(ph.Data) > LogoMaxBytes {
		return returns.Photo{}, returns.Errorf(returns.EINVALID,
			"The logo takes %d KB even at %d×%d pixels; at most %d KB is accepted. Please upload a simpler or smaller image, for example a PNG with few colours.",
			(len(ph.Data)+1023)>>10, ph.Width, ph.Height, LogoMaxBytes>>10)
	}
	return ph, nil
}
