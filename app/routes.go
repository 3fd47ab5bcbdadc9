package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	_ "coordlab/sim/mech/all" // every mechanism, for players and the catalog
)

// LessonRoute matches /lesson/{lang}/{slug}, with the trailing slash some
// static hosts add when they serve lesson/{lang}/{slug}/index.html.
const LessonRoute = `^/lesson/[a-z0-9-]+/[a-z0-9-]+/?$`

// Routes registers every page of the lab with go-app. Both targets call it:
// the browser to mount pages, the server to pre-render them.
func Routes() {
	app.Route("/", func() app.Composer { return newHome() })
	app.RouteWithRegexp(LessonRoute, func() app.Composer { return newLessonPage() })
	for _, p := range []struct {
		path string
		page func() app.Composer
	}{
		{"/play", func() app.Composer { return newPlayPage() }},
		{"/cap", func() app.Composer { return newCAPPage() }},
		{"/editor", func() app.Composer { return newEditorPage() }},
		{"/mechanisms", func() app.Composer { return newMechanismsPage() }},
	} {
		app.Route(p.path, p.page)
		app.Route(p.path+"/", p.page)
	}
}
