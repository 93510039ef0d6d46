// Command otel runs the offboard clients against their built-in fakes with the OpenTelemetry
// adapter of package otelobserve: one span per call, with its HTTP exchanges, logins and
// renewals as events, and the call duration and call count metrics. It needs no
// configuration:
//
//	go run .                      # spans and metrics as JSON on stdout
//	go run . -exporter otlp       # to an OTLP/HTTP collector (OTEL_EXPORTER_OTLP_ENDPOINT…)
//	go run . -exporter none       # the run only
//
// With OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) set in the
// environment, the default exporter is otlp. The OTLP exporters read the standard OTEL_EXPORTER_OTLP_*
// variables (endpoint, headers, timeout, TLS).
//
// The program lives in a module of its own, so that the offboard module itself depends on no
// part of OpenTelemetry; its go.mod builds against this checkout (a replace directive) and
// needs Go 1.26, as OpenTelemetry v1.47 does (the offboard module needs Go 1.24).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/offboard-go/offboard/examples/otel/otelobserve"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "otel:", err)
		if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("otel", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := "stdout"
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" {
		def = "otlp"
	}
	exporter := fs.String("exporter", def, "where spans and metrics go: stdout, otlp (OTLP/HTTP, configured by OTEL_EXPORTER_OTLP_*) or none")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	tp, mp, err := providers(ctx, *exporter, stdout)
	if err != nil {
		return err
	}
	obs, err := otelobserve.New(tp, mp)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, "otel: a scripted run against the built-in fakes; spans and metrics go to", *exporter)
	runErr := scenario(ctx, obs, nil, stderr)
	// Shutdown flushes: the spans and metrics are exported before the program ends.
	return errors.Join(runErr, tp.Shutdown(context.WithoutCancel(ctx)), mp.Shutdown(context.WithoutCancel(ctx)))
}

// providers returns a tracer and a meter provider exporting to exporter.
func providers(ctx context.Context, exporter string, stdout io.Writer) (*sdktrace.TracerProvider, *sdkmetric.MeterProvider, error) {
	res := resource.NewSchemaless(attribute.String("service.name", "offboard-otel-example"))
	var (
		spans   sdktrace.SpanExporter
		metrics sdkmetric.Exporter
		err     error
	)
	switch exporter {
	case "stdout":
		if spans, err = stdouttrace.New(stdouttrace.WithWriter(stdout)); err != nil {
			return nil, nil, err
		}
		if metrics, err = stdoutmetric.New(stdoutmetric.WithWriter(stdout)); err != nil {
			return nil, nil, err
		}
	case "otlp":
		if spans, err = otlptracehttp.New(ctx); err != nil {
			return nil, nil, err
		}
		if metrics, err = otlpmetrichttp.New(ctx); err != nil {
			return nil, nil, err
		}
	case "none":
		tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res))
		return tp, sdkmetric.NewMeterProvider(sdkmetric.WithResource(res)), nil
	default:
		return nil, nil, fmt.Errorf("%w: -exporter %q: want stdout, otlp or none", errUsage, exporter)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithBatcher(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res), sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)))
	return tp, mp, nil
}
