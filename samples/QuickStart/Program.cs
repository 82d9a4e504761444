using System;
using System.Diagnostics;
using CnnGen;
using CnnGen.Reference;

// LeNet-5 on a 32x32 RGB image, declared with attributes; CnnGen generates every layer.
var net = new LeNet5();

// Deterministic stand-in weights (a real model loads trained ones; see the Fashion-MNIST sample).
var random = new Random(42);
float[] parameters = new float[LeNet5.ParameterCount];
for (int i = 0; i < parameters.Length; i++)
{
    parameters[i] = (float)((random.NextDouble() * 2) - 1) * 0.2f;
}

net.SetParameters(parameters);

float[] image = new float[LeNet5.InputLength];
for (int i = 0; i < image.Length; i++)
{
    image[i] = (float)random.NextDouble();
}

float[] scores = new float[LeNet5.OutputLength];
net.Forward(image, scores);

Console.WriteLine($"LeNet5: {LeNet5.InputWidth}x{LeNet5.InputHeight}x{LeNet5.InputDepth} -> {LeNet5.OutputLength} scores, {LeNet5.ParameterCount:N0} parameters");
Console.WriteLine($"  Conv1 {LeNet5.Conv1OutputWidth}x{LeNet5.Conv1OutputHeight}x{LeNet5.Conv1OutputDepth}, Pool1 {LeNet5.Pool1OutputWidth}x{LeNet5.Pool1OutputHeight}x{LeNet5.Pool1OutputDepth}, " +
    $"Conv2 {LeNet5.Conv2OutputWidth}x{LeNet5.Conv2OutputHeight}x{LeNet5.Conv2OutputDepth}, Pool2 {LeNet5.Pool2OutputWidth}x{LeNet5.Pool2OutputHeight}x{LeNet5.Pool2OutputDepth}");
Console.WriteLine("  scores: " + string.Join(", ", Array.ConvertAll(scores, s => s.ToString("F4"))));

// The same network through the plain reference kernels, to show the generated code agrees.
float[] reference = ReferenceForward(net.Parameters.ToArray(), image);
double worst = 0;
for (int i = 0; i < scores.Length; i++)
{
    worst = Math.Max(worst, Math.Abs(scores[i] - reference[i]));
}

Console.WriteLine($"  largest difference from the reference kernels: {worst:E2}");
Console.WriteLine($"  kernels: {Kernels.Current}");
if (!(worst <= 1e-4))
{
    Console.Error.WriteLine("The generated code and the reference kernels disagree.");
    return 1;
}

const int runs = 2000;
var watch = Stopwatch.StartNew();
for (int i = 0; i < runs; i++)
{
    net.Forward(image, scores);
}

watch.Stop();
Console.WriteLine($"  Forward: {watch.Elapsed.TotalMilliseconds * 1000 / runs:F1} us per image (one thread)");
return 0;

static float[] ReferenceForward(float[] p, float[] image)
{
    float[] c1 = new float[LeNet5.Conv1OutputLength];
    ReferenceLayers.Conv2d(image, 32, 32, 3, p.AsSpan(LeNet5.Conv1WeightOffset, LeNet5.Conv1WeightLength), p.AsSpan(LeNet5.Conv1BiasOffset, LeNet5.Conv1BiasLength), 6, 5, 1, 0, OutputRounding.Exact, c1);
    ReferenceLayers.Relu(c1, c1);
    float[] p1 = new float[LeNet5.Pool1OutputLength];
    ReferenceLayers.MaxPool2d(c1, 28, 28, 6, 2, 2, 0, OutputRounding.Exact, p1);
    float[] c2 = new float[LeNet5.Conv2OutputLength];
    ReferenceLayers.Conv2d(p1, 14, 14, 6, p.AsSpan(LeNet5.Conv2WeightOffset, LeNet5.Conv2WeightLength), p.AsSpan(LeNet5.Conv2BiasOffset, LeNet5.Conv2BiasLength), 16, 5, 1, 0, OutputRounding.Exact, c2);
    ReferenceLayers.Relu(c2, c2);
    float[] p2 = new float[LeNet5.Pool2OutputLength];
    ReferenceLayers.MaxPool2d(c2, 10, 10, 16, 2, 2, 0, OutputRounding.Exact, p2);
    float[] f1 = new float[120];
    ReferenceLayers.Linear(p2, p.AsSpan(LeNet5.Fc1WeightOffset, LeNet5.Fc1WeightLength), p.AsSpan(LeNet5.Fc1BiasOffset, 120), f1);
    ReferenceLayers.Relu(f1, f1);
    float[] f2 = new float[84];
    ReferenceLayers.Linear(f1, p.AsSpan(LeNet5.Fc2WeightOffset, LeNet5.Fc2WeightLength), p.AsSpan(LeNet5.Fc2BiasOffset, 84), f2);
    ReferenceLayers.Relu(f2, f2);
    float[] f3 = new float[10];
    ReferenceLayers.Linear(f2, p.AsSpan(LeNet5.Fc3WeightOffset, LeNet5.Fc3WeightLength), p.AsSpan(LeNet5.Fc3BiasOffset, 10), f3);
    return f3;
}

[Input(32, 32, 3)]
[Conv(6, 5)] [Relu] [MaxPool(2)]
[Conv(16, 5)] [Relu] [MaxPool(2)]
[FullyConnected(120)] [Relu]
[FullyConnected(84)] [Relu]
[FullyConnected(10)]
public partial class LeNet5
{
}
