# --- noisegeom verify (to merge into .ci/run, after the kernel-table step) ---
step "noisegeom verify: every kernel table, purego, arm64 under qemu"
go build -o /tmp/noisegeom-verify ./cmd/noisegeom
for table in $(go run ./cmd/noisegeom version --tables); do
	echo "-- NOISEGEOM_KERNELS=$table"
	NOISEGEOM_KERNELS=$table /tmp/noisegeom-verify verify
done
echo "-- purego"
go run -tags purego ./cmd/noisegeom verify
GOARCH=arm64 go build -o /tmp/ng-arm64 ./cmd/noisegeom
for table in $(qemu-aarch64 /tmp/ng-arm64 version --tables); do
	echo "-- arm64 under qemu, NOISEGEOM_KERNELS=$table"
	NOISEGEOM_KERNELS=$table qemu-aarch64 /tmp/ng-arm64 verify
done
