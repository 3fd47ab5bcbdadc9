// Package all links every mechanism into a binary: importing it registers
// them all in the sim/mech catalog. Each mechanism adds one file here.
package all
