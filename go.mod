module github.com/offboard-go/offboard

go 1.24

require github.com/hooklift/gowsdl v0.5.0

require (
	github.com/jarcoal/httpmock v1.4.2 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
