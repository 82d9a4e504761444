using System;
using System.Collections.Generic;
using CnnGen.Reference;

namespace CnnGen.Benchmarks;

/// <summary>What the benchmarks call on a case's generated network.</summary>
public interface IBenchNetwork
{
    void Forward(ReadOnlySpan<float> input, Span<float> output);

    void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs);

    void LoadSafetensors(string path);

    ReadOnlySpan<float> Parameters { get; }

    /// <summary>The case's static layer method (single-layer cases), with the PyTorch-layout parameters.</summary>
    void RunLayerMethod(ReadOnlySpan<float> input, Span<float> output);
}

// The cases of issue 3: conv A–F, max-pool P1–P3, LeNet-5 N1 (1x32x32) and N3 (3x32x32).
[Input(32, 32, 3)] [Conv(6, 5)]
public partial class CaseA : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Conv1(x, Parameters.Slice(Conv1WeightOffset, Conv1WeightLength), Parameters.Slice(Conv1BiasOffset, Conv1BiasLength), y); }

[Input(14, 14, 6)] [Conv(16, 5)]
public partial class CaseB : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Conv1(x, Parameters.Slice(Conv1WeightOffset, Conv1WeightLength), Parameters.Slice(Conv1BiasOffset, Conv1BiasLength), y); }

[Input(32, 32, 3)] [Conv(32, 3, Padding = 1)]
public partial class CaseC : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Conv1(x, Parameters.Slice(Conv1WeightOffset, Conv1WeightLength), Parameters.Slice(Conv1BiasOffset, Conv1BiasLength), y); }

[Input(56, 56, 64)] [Conv(64, 3, Padding = 1)]
public partial class CaseD : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Conv1(x, Parameters.Slice(Conv1WeightOffset, Conv1WeightLength), Parameters.Slice(Conv1BiasOffset, Conv1BiasLength), y); }

[Input(28, 28, 64)] [Conv(128, 1)]
public partial class CaseE : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Conv1(x, Parameters.Slice(Conv1WeightOffset, Conv1WeightLength), Parameters.Slice(Conv1BiasOffset, Conv1BiasLength), y); }

[Input(32, 32, 32)] [Conv(64, 3, Stride = 2, Padding = 1, Rounding = OutputRounding.Floor)]
public partial class CaseF : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Conv1(x, Parameters.Slice(Conv1WeightOffset, Conv1WeightLength), Parameters.Slice(Conv1BiasOffset, Conv1BiasLength), y); }

[Input(28, 28, 6)] [MaxPool(2)]
public partial class CaseP1 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Pool1(x, y); }

[Input(56, 56, 64)] [MaxPool(2)]
public partial class CaseP2 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Pool1(x, y); }

[Input(56, 56, 64)] [MaxPool(3, Stride = 2, Rounding = OutputRounding.Floor)]
public partial class CaseP3 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Pool1(x, y); }

[Input(32, 32, 1)]
[Conv(6, 5)] [Relu] [MaxPool(2)] [Conv(16, 5)] [Relu] [MaxPool(2)]
[FullyConnected(120)] [Relu] [FullyConnected(84)] [Relu] [FullyConnected(10)]
public partial class CaseN1 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Forward(x, y); }

[Input(32, 32, 3)]
[Conv(6, 5)] [Relu] [MaxPool(2)] [Conv(16, 5)] [Relu] [MaxPool(2)]
[FullyConnected(120)] [Relu] [FullyConnected(84)] [Relu] [FullyConnected(10)]
public partial class CaseN3 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Forward(x, y); }

// The cases of issue 10 (contract v2 geometry): depthwise G1 and G2, dilated G3, the keyword-spotting stem G4, grouped G5.
[Input(56, 56, 64)] [Conv(64, 3, Groups = 64, Padding = 1)]
public partial class CaseG1 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Conv1(x, Parameters.Slice(Conv1WeightOffset, Conv1WeightLength), Parameters.Slice(Conv1BiasOffset, Conv1BiasLength), y); }

[Input(112, 112, 32)] [Conv(32, 3, Groups = 32, Stride = 2, PaddingMode = PaddingMode.Same)]
public partial class CaseG2 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Conv1(x, Parameters.Slice(Conv1WeightOffset, Conv1WeightLength), Parameters.Slice(Conv1BiasOffset, Conv1BiasLength), y); }

[Input(32, 32, 32)] [Conv(32, 3, Dilation = 2, Padding = 2)]
public partial class CaseG3 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Conv1(x, Parameters.Slice(Conv1WeightOffset, Conv1WeightLength), Parameters.Slice(Conv1BiasOffset, Conv1BiasLength), y); }

[Input(10, 49, 1)] [Conv(64, 10, SizeX = 4, Stride = 2, PaddingMode = PaddingMode.Same)]
public partial class CaseG4 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Conv1(x, Parameters.Slice(Conv1WeightOffset, Conv1WeightLength), Parameters.Slice(Conv1BiasOffset, Conv1BiasLength), y); }

[Input(28, 28, 64)] [Conv(64, 3, Groups = 4, Padding = 1)]
public partial class CaseG5 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Conv1(x, Parameters.Slice(Conv1WeightOffset, Conv1WeightLength), Parameters.Slice(Conv1BiasOffset, Conv1BiasLength), y); }

/// <summary>A case: its network, its shapes, and the naive reference of the same computation.</summary>
// The cases of issue 11 (contract v2 layers): a ResNet basic block with a projection shortcut L1, a MobileNetV2 inverted
// residual L2, global average pool + fully connected + softmax L3, an average pool that leaves the padding out L4.
[Input(32, 32, 16, Rounding = OutputRounding.Floor)]
[Conv(32, 3, Stride = 2, Padding = 1, Bias = false)] [BatchNorm] [Relu]
[Conv(32, 3, Padding = 1, Bias = false)] [BatchNorm(Name = "Main")]
[Conv(32, 1, Stride = 2, Bias = false, From = "Input")] [BatchNorm] [Add("Main")] [Relu]
public partial class CaseL1 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Forward(x, y); }

[Input(28, 28, 24)]
[Conv(144, 1, Bias = false)] [BatchNorm] [Relu6]
[Conv(144, 3, Padding = 1, Groups = 144, Bias = false)] [BatchNorm] [Relu6]
[Conv(24, 1, Bias = false)] [BatchNorm] [Add("Input")]
public partial class CaseL2 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Forward(x, y); }

[Input(7, 7, 512)] [GlobalAvgPool] [FullyConnected(1000)] [Softmax]
public partial class CaseL3 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => Forward(x, y); }

[Input(28, 28, 64)] [AvgPool(3, Stride = 1, Padding = 1, CountIncludePadding = false)]
public partial class CaseL4 : IBenchNetwork { public void RunLayerMethod(ReadOnlySpan<float> x, Span<float> y) => AvgPool1(x, y); }

public sealed record Case(string Name, Func<IBenchNetwork> Create, int[] InputShape, int InputLength, int OutputLength, double Flops, Action<float[], float[], float[]>? Naive)
{
    public static readonly IReadOnlyDictionary<string, Case> All = new Dictionary<string, Case>
    {
        ["A"] = Conv("A", () => new CaseA(), 3, 32, 32, 6, 5, 1, 0, CaseA.OutputLength),
        ["B"] = Conv("B", () => new CaseB(), 6, 14, 14, 16, 5, 1, 0, CaseB.OutputLength),
        ["C"] = Conv("C", () => new CaseC(), 3, 32, 32, 32, 3, 1, 1, CaseC.OutputLength),
        ["D"] = Conv("D", () => new CaseD(), 64, 56, 56, 64, 3, 1, 1, CaseD.OutputLength),
        ["E"] = Conv("E", () => new CaseE(), 64, 28, 28, 128, 1, 1, 0, CaseE.OutputLength),
        ["F"] = Conv("F", () => new CaseF(), 32, 32, 32, 64, 3, 2, 1, CaseF.OutputLength, OutputRounding.Floor),
        ["P1"] = Pool("P1", () => new CaseP1(), 6, 28, 28, 2, 2, CaseP1.OutputLength),
        ["P2"] = Pool("P2", () => new CaseP2(), 64, 56, 56, 2, 2, CaseP2.OutputLength),
        ["P3"] = Pool("P3", () => new CaseP3(), 64, 56, 56, 3, 2, CaseP3.OutputLength, OutputRounding.Floor),
        ["N1"] = LeNet("N1", () => new CaseN1(), 1),
        ["N3"] = LeNet("N3", () => new CaseN3(), 3),
        ["G1"] = Grouped("G1", () => new CaseG1(), 64, 56, 56, 64, 64, Window2d.Square(3, 1, 1), CaseG1.OutputLength),
        ["G2"] = Grouped("G2", () => new CaseG2(), 32, 112, 112, 32, 32, new Window2d(3, 3, 2, 2, 0, 1, 0, 1), CaseG2.OutputLength), // Same: ⌈112/2⌉ = 56, padding 0 before, 1 after
        ["G3"] = Grouped("G3", () => new CaseG3(), 32, 32, 32, 32, 1, new Window2d(3, 3, 1, 1, 2, 2, 2, 2, 2, 2), CaseG3.OutputLength),
        ["G4"] = Grouped("G4", () => new CaseG4(), 1, 49, 10, 64, 1, new Window2d(4, 10, 2, 2, 1, 1, 4, 5), CaseG4.OutputLength), // Same: 5x25, padding 1/1 across, 4/5 down
        ["G5"] = Grouped("G5", () => new CaseG5(), 64, 28, 28, 64, 4, Window2d.Square(3, 1, 1), CaseG5.OutputLength),
        ["L1"] = ResNetBlock(),
        ["L2"] = InvertedResidual(),
        ["L3"] = new("L3", () => new CaseL3(), new[] { 1, 512, 7, 7 }, 512 * 49, 1000, 2.0 * 512 * 1000, (x, p, y) =>
        {
            var pooled = new float[512];
            ReferenceLayers.GlobalAvgPool(x, 7, 7, 512, pooled);
            var logits = new float[1000];
            ReferenceLayers.Linear(pooled, p.AsSpan(0, 512 * 1000), p.AsSpan(512 * 1000, 1000), logits);
            ReferenceLayers.Softmax(logits, 1, 1, 1000, y);
        }),
        // MLPerf Tiny's four models (samples/MlPerfTiny); multiply-adds as tools/make_mlperf_tiny.py counts them. No
        // naive loops for whole models: Setup compares CnnGen with ONNX Runtime (and the tests with PyTorch).
        ["M1"] = new("M1", () => new MlPerfTiny.ResNet8(), new[] { 1, 3, 32, 32 }, MlPerfTiny.ResNet8.InputLength, MlPerfTiny.ResNet8.OutputLength, 2.0 * 12_501_632, null),
        ["M2"] = new("M2", () => new MlPerfTiny.DsCnn(), new[] { 1, 1, 49, 10 }, MlPerfTiny.DsCnn.InputLength, MlPerfTiny.DsCnn.OutputLength, 2.0 * 2_656_768, null),
        ["M3"] = new("M3", () => new MlPerfTiny.MobileNetV1(), new[] { 1, 3, 96, 96 }, MlPerfTiny.MobileNetV1.InputLength, MlPerfTiny.MobileNetV1.OutputLength, 2.0 * 7_489_664, null),
        ["M4"] = new("M4", () => new MlPerfTiny.Autoencoder(), new[] { 1, 640 }, MlPerfTiny.Autoencoder.InputLength, MlPerfTiny.Autoencoder.OutputLength, 2.0 * 264_192, null),
        ["L4"] = new("L4", () => new CaseL4(), new[] { 1, 64, 28, 28 }, 64 * 28 * 28, CaseL4.OutputLength, 0,
            (x, _, y) => ReferenceLayers.AvgPool2d(x, 28, 28, 64, Window2d.Square(3, 1, 1), countIncludePadding: false, OutputRounding.Exact, y)),
    };

    /// <summary>Conv (no bias) then an unfolded batch norm, from the flat parameters at <paramref name="o"/>, as PyTorch runs them.</summary>
    private static float[] ConvBn(ReadOnlySpan<float> x, int w, int h, int d, float[] p, ref int o, int k, Window2d window, int groups, int outW, int outH)
    {
        var conv = new float[k * outW * outH];
        int weights = k * (d / groups) * window.SizeX * window.SizeY;
        ReferenceLayers.Conv2d(x, w, h, d, p.AsSpan(o, weights), ReadOnlySpan<float>.Empty, k, groups, window, OutputRounding.Floor, conv);
        o += weights;
        var y = new float[conv.Length];
        ReferenceLayers.BatchNorm(conv, outW, outH, k, p.AsSpan(o, k), p.AsSpan(o + k, k), p.AsSpan(o + (2 * k), k), p.AsSpan(o + (3 * k), k), 1e-5f, y);
        o += 4 * k;
        return y;
    }

    private static Case ResNetBlock()
    {
        double flops = 2.0 * 32 * 16 * 16 * ((16 * 9) + (32 * 9) + 16);
        return new("L1", () => new CaseL1(), new[] { 1, 16, 32, 32 }, 16 * 32 * 32, CaseL1.OutputLength, flops, (x, p, y) =>
        {
            int o = 0;
            float[] a = ConvBn(x, 32, 32, 16, p, ref o, 32, Window2d.Square(3, 2, 1), 1, 16, 16);
            ReferenceLayers.Relu(a, a);
            float[] main = ConvBn(a, 16, 16, 32, p, ref o, 32, Window2d.Square(3, 1, 1), 1, 16, 16);
            float[] shortcut = ConvBn(x, 32, 32, 16, p, ref o, 32, Window2d.Square(1, 2, 0), 1, 16, 16);
            ReferenceLayers.Add(shortcut, main, y);
            ReferenceLayers.Relu(y, y);
        });
    }

    private static Case InvertedResidual()
    {
        double flops = 2.0 * 28 * 28 * ((24 * 144) + (144 * 9) + (144 * 24));
        return new("L2", () => new CaseL2(), new[] { 1, 24, 28, 28 }, 24 * 28 * 28, CaseL2.OutputLength, flops, (x, p, y) =>
        {
            int o = 0;
            float[] a = ConvBn(x, 28, 28, 24, p, ref o, 144, Window2d.Square(1, 1, 0), 1, 28, 28);
            ReferenceLayers.Relu6(a, a);
            float[] b = ConvBn(a, 28, 28, 144, p, ref o, 144, Window2d.Square(3, 1, 1), 144, 28, 28);
            ReferenceLayers.Relu6(b, b);
            float[] c = ConvBn(b, 28, 28, 144, p, ref o, 24, Window2d.Square(1, 1, 0), 1, 28, 28);
            ReferenceLayers.Add(c, x, y);
        });
    }

    private static Case Grouped(string name, Func<IBenchNetwork> create, int d, int h, int w, int k, int groups, Window2d window, int outputLength)
    {
        int weights = k * (d / groups) * window.SizeX * window.SizeY;
        return new(name, create, new[] { 1, d, h, w }, d * h * w, outputLength, 2.0 * outputLength * (d / groups) * window.SizeX * window.SizeY,
            (x, parameters, y) => ReferenceLayers.Conv2d(x, w, h, d, parameters.AsSpan(0, weights), parameters.AsSpan(weights, k), k, groups, window, OutputRounding.Exact, y));
    }

    private static Case Conv(string name, Func<IBenchNetwork> create, int d, int h, int w, int k, int f, int s, int p, int outputLength, OutputRounding rounding = OutputRounding.Exact) =>
        new(name, create, new[] { 1, d, h, w }, d * h * w, outputLength, 2.0 * outputLength * d * f * f,
            (x, parameters, y) => ReferenceLayers.Conv2d(x, w, h, d, parameters.AsSpan(0, k * d * f * f), parameters.AsSpan(k * d * f * f, k), k, f, s, p, rounding, y));

    private static Case Pool(string name, Func<IBenchNetwork> create, int d, int h, int w, int f, int s, int outputLength, OutputRounding rounding = OutputRounding.Exact) =>
        new(name, create, new[] { 1, d, h, w }, d * h * w, outputLength, 0,
            (x, _, y) => ReferenceLayers.MaxPool2d(x, w, h, d, f, s, 0, rounding, y));

    private static Case LeNet(string name, Func<IBenchNetwork> create, int d)
    {
        double flops = 2.0 * ((28 * 28 * 6 * d * 25) + (10 * 10 * 16 * 6 * 25) + (400 * 120) + (120 * 84) + (84 * 10));
        return new(name, create, new[] { 1, d, 32, 32 }, d * 32 * 32, 10, flops, (x, p, y) =>
        {
            var c1 = new float[6 * 28 * 28];
            var p1 = new float[6 * 14 * 14];
            var c2 = new float[16 * 10 * 10];
            var p2 = new float[16 * 5 * 5];
            var f1 = new float[120];
            var f2 = new float[84];
            int o = 0;
            ReadOnlySpan<float> Take(int n) { var s = p.AsSpan(o, n); o += n; return s; }
            ReferenceLayers.Conv2d(x, 32, 32, d, Take(6 * d * 25), Take(6), 6, 5, 1, 0, OutputRounding.Exact, c1);
            ReferenceLayers.Relu(c1, c1);
            ReferenceLayers.MaxPool2d(c1, 28, 28, 6, 2, 2, 0, OutputRounding.Exact, p1);
            ReferenceLayers.Conv2d(p1, 14, 14, 6, Take(16 * 6 * 25), Take(16), 16, 5, 1, 0, OutputRounding.Exact, c2);
            ReferenceLayers.Relu(c2, c2);
            ReferenceLayers.MaxPool2d(c2, 10, 10, 16, 2, 2, 0, OutputRounding.Exact, p2);
            ReferenceLayers.Linear(p2, Take(120 * 400), Take(120), f1);
            ReferenceLayers.Relu(f1, f1);
            ReferenceLayers.Linear(f1, Take(84 * 120), Take(84), f2);
            ReferenceLayers.Relu(f2, f2);
            ReferenceLayers.Linear(f2, Take(10 * 84), Take(10), y);
        });
    }
}
