using System;
using CnnGen.Benchmarks;

namespace MlPerfTiny;

// The MLPerf Tiny models as benchmark cases M1-M4: their "layer method" is the whole Forward.
public partial class ResNet8 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Forward(x, y); }

public partial class DsCnn : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Forward(x, y); }

public partial class MobileNetV1 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Forward(x, y); }

public partial class Autoencoder : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Forward(x, y); }
