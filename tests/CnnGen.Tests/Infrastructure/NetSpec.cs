using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using CnnGen.Reference;

namespace CnnGen.Tests.Infrastructure
{
    public enum Kind
    {
        Conv,
        Pool,
        Relu,
        Fc,
    }

    /// <summary>One layer as a test describes it; <see cref="Stride"/> 0 on a pool means the window size.</summary>
    public sealed record LayerSpec(Kind Kind, int Count = 0, int Size = 0, int Stride = 1, int Padding = 0, OutputRounding Rounding = OutputRounding.Exact)
    {
        public static LayerSpec Conv(int filters, int size, int stride = 1, int padding = 0, OutputRounding rounding = OutputRounding.Exact) =>
            new(Kind.Conv, filters, size, stride, padding, rounding);

        public static LayerSpec Pool(int size, int stride = 0, int padding = 0, OutputRounding rounding = OutputRounding.Exact) =>
            new(Kind.Pool, 0, size, stride, padding, rounding);

        public static LayerSpec Relu() => new(Kind.Relu);

        public static LayerSpec Fc(int outputs) => new(Kind.Fc, outputs);

        public string ToAttribute()
        {
            string rounding = Rounding == OutputRounding.Exact ? string.Empty : ", Rounding = OutputRounding." + Rounding;
            return Kind switch
            {
                Kind.Conv => $"[Conv({Count}, {Size}, Stride = {Stride}, Padding = {Padding}{rounding})]",
                Kind.Pool => $"[MaxPool({Size}, Stride = {Stride}, Padding = {Padding}{rounding})]",
                Kind.Relu => "[Relu]",
                _ => $"[FullyConnected({Count})]",
            };
        }

        public override string ToString() => ToAttribute();
    }

    /// <summary>A whole network: input and layers, with the reference forward pass written from the formulas.</summary>
    public sealed record NetSpec(int Width, int Height, int Depth, IReadOnlyList<LayerSpec> Layers)
    {
        public int InputLength => Width * Height * Depth;

        public override string ToString() => $"[Input({Width}, {Height}, {Depth})] " + string.Join(" ", Layers.Select(l => l.ToAttribute()));

        /// <summary>C# source declaring the network as <paramref name="className"/>, implementing <see cref="ITestNetwork"/>.</summary>
        public string ToSource(string className)
        {
            var b = new StringBuilder();
            b.AppendLine($"[CnnGen.Input({Width}, {Height}, {Depth})]");
            foreach (LayerSpec layer in Layers)
            {
                b.AppendLine(layer.ToAttribute().Replace("[", "[CnnGen.").Replace("OutputRounding.", "CnnGen.OutputRounding."));
            }

            b.AppendLine($"public partial class {className} : CnnGen.Tests.Infrastructure.ITestNetwork");
            b.AppendLine("{");
            b.AppendLine("    public void RunLayer(int index, System.ReadOnlySpan<float> input, System.ReadOnlySpan<float> weight, System.ReadOnlySpan<float> bias, System.Span<float> output)");
            b.AppendLine("    {");
            b.AppendLine("        switch (index)");
            b.AppendLine("        {");
            int index = 0;
            foreach ((LayerSpec layer, string name) in Named())
            {
                string call = layer.Kind is Kind.Pool ? $"{name}(input, output)" : $"{name}(input, weight, bias, output)";
                b.AppendLine($"            case {index++}: {call}; break;");
            }

            b.AppendLine("            default: throw new System.ArgumentOutOfRangeException(nameof(index));");
            b.AppendLine("        }");
            b.AppendLine("    }");
            b.AppendLine("}");
            return b.ToString();
        }

        /// <summary>Layers that have a method, with their default names (the generator's own rule: Conv1, Pool1, Fc1, …).</summary>
        public IEnumerable<(LayerSpec Layer, string Name)> Named()
        {
            var counts = new Dictionary<Kind, int>();
            foreach (LayerSpec layer in Layers)
            {
                counts[layer.Kind] = counts.TryGetValue(layer.Kind, out int count) ? count + 1 : 1;
                if (layer.Kind != Kind.Relu)
                {
                    yield return (layer, Generator.Model.LayerKinds.DefaultName(ModelKind(layer.Kind), counts[layer.Kind]));
                }
            }
        }

        /// <summary>The volume (width, height, depth) each layer receives, from the product's one output-size formula.</summary>
        public IReadOnlyList<(int Width, int Height, int Depth)> InputVolumes()
        {
            var volumes = new List<(int, int, int)>();
            int w = Width, h = Height, d = Depth;
            foreach (LayerSpec layer in Layers)
            {
                volumes.Add((w, h, d));
                switch (layer.Kind)
                {
                    case Kind.Conv:
                        (w, h, d) = (ReferenceLayers.OutputSize(w, layer.Size, layer.Stride, layer.Padding, layer.Rounding), ReferenceLayers.OutputSize(h, layer.Size, layer.Stride, layer.Padding, layer.Rounding), layer.Count);
                        break;
                    case Kind.Pool:
                        int stride = layer.Stride == 0 ? layer.Size : layer.Stride;
                        (w, h) = (ReferenceLayers.OutputSize(w, layer.Size, stride, layer.Padding, layer.Rounding), ReferenceLayers.OutputSize(h, layer.Size, stride, layer.Padding, layer.Rounding));
                        break;
                    case Kind.Fc:
                        (w, h, d) = (1, 1, layer.Count);
                        break;
                }
            }

            return volumes;
        }

        /// <summary>The generator's plan for this network (its checker and planner on the same declaration), for tests that ask which kernel a layer gets.</summary>
        internal Generator.Planning.NetworkPlan Plan()
        {
            var layers = Layers.Select(l => new Generator.Model.LayerSpec(
                ModelKind(l.Kind),
                l.Kind switch
                {
                    Kind.Conv => Generator.Model.EquatableArray.Of(l.Count, l.Size),
                    Kind.Pool => Generator.Model.EquatableArray.Of(l.Size),
                    Kind.Fc => Generator.Model.EquatableArray.Of(l.Count),
                    _ => default,
                },
                l.Kind is Kind.Conv or Kind.Pool
                    ? Generator.Model.EquatableArray.Of(new Generator.Model.Setting("Stride", l.Stride, null), new Generator.Model.Setting("Padding", l.Padding, null), new Generator.Model.Setting("Rounding", (int)l.Rounding, null))
                    : default,
                null));
            var spec = new Generator.Model.NetworkSpec(
                new Generator.Model.ClassSpec("Net", "Net", "class", string.Empty, default, "Net.g.cs"),
                new Generator.Model.InputSpec(Width, Height, Depth),
                Generator.Model.EquatableArray.From(layers));
            Generator.Model.NetworkModel model = Generator.Checking.NetworkChecker.Check(spec, analyze: false, System.Threading.CancellationToken.None).Model
                ?? throw new InvalidOperationException(this + " is not a valid network");
            return Generator.Planning.NetworkPlanner.Plan(model);
        }

        private static Generator.Model.LayerKind ModelKind(Kind kind) => kind switch
        {
            Kind.Conv => Generator.Model.LayerKind.Conv,
            Kind.Pool => Generator.Model.LayerKind.MaxPool,
            Kind.Fc => Generator.Model.LayerKind.FullyConnected,
            _ => Generator.Model.LayerKind.Relu,
        };

        /// <summary>
        /// Runs the network through <see cref="ReferenceLayers"/>: for each layer with a method, its input and
        /// output (before any ReLU), its weight and bias; and the final output.
        /// </summary>
        public ReferenceRun RunReference(float[] input, float[] parameters)
        {
            var steps = new List<ReferenceStep>();
            float[] current = input;
            int w = Width, h = Height, d = Depth, offset = 0;
            foreach (LayerSpec layer in Layers)
            {
                switch (layer.Kind)
                {
                    case Kind.Conv:
                    {
                        int ow = ReferenceLayers.OutputSize(w, layer.Size, layer.Stride, layer.Padding, layer.Rounding);
                        int oh = ReferenceLayers.OutputSize(h, layer.Size, layer.Stride, layer.Padding, layer.Rounding);
                        float[] weight = parameters.AsSpan(offset, layer.Count * d * layer.Size * layer.Size).ToArray();
                        offset += weight.Length;
                        float[] bias = parameters.AsSpan(offset, layer.Count).ToArray();
                        offset += bias.Length;
                        var output = new float[ow * oh * layer.Count];
                        ReferenceLayers.Conv2d(current, w, h, d, weight, bias, layer.Count, layer.Size, layer.Stride, layer.Padding, layer.Rounding, output);
                        steps.Add(new ReferenceStep(current, weight, bias, output));
                        (current, w, h, d) = (output, ow, oh, layer.Count);
                        break;
                    }

                    case Kind.Pool:
                    {
                        int stride = layer.Stride == 0 ? layer.Size : layer.Stride;
                        int ow = ReferenceLayers.OutputSize(w, layer.Size, stride, layer.Padding, layer.Rounding);
                        int oh = ReferenceLayers.OutputSize(h, layer.Size, stride, layer.Padding, layer.Rounding);
                        var output = new float[ow * oh * d];
                        ReferenceLayers.MaxPool2d(current, w, h, d, layer.Size, stride, layer.Padding, layer.Rounding, output);
                        steps.Add(new ReferenceStep(current, Array.Empty<float>(), Array.Empty<float>(), output));
                        (current, w, h) = (output, ow, oh);
                        break;
                    }

                    case Kind.Fc:
                    {
                        float[] weight = parameters.AsSpan(offset, layer.Count * current.Length).ToArray();
                        offset += weight.Length;
                        float[] bias = parameters.AsSpan(offset, layer.Count).ToArray();
                        offset += bias.Length;
                        var output = new float[layer.Count];
                        ReferenceLayers.Linear(current, weight, bias, output);
                        steps.Add(new ReferenceStep(current, weight, bias, output));
                        (current, w, h, d) = (output, 1, 1, layer.Count);
                        break;
                    }

                    default:
                    {
                        var output = new float[current.Length];
                        ReferenceLayers.Relu(current, output);
                        current = output;
                        break;
                    }
                }
            }

            return new ReferenceRun(steps, current, offset);
        }
    }

    public sealed record ReferenceStep(float[] Input, float[] Weight, float[] Bias, float[] Output);

    public sealed record ReferenceRun(IReadOnlyList<ReferenceStep> Steps, float[] Output, int ParameterCount);

    public static class Numbers
    {
        public static float[] Random(Random random, int length, float scale = 1f)
        {
            var values = new float[length];
            for (int i = 0; i < length; i++)
            {
                values[i] = (float)((random.NextDouble() * 2) - 1) * scale;
            }

            return values;
        }

        /// <summary>Asserts |actual − expected| ≤ 1e-4 + 1e-4·|expected| element-wise, NaN matching NaN and infinities exactly.</summary>
        public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
        {
            if (expected.Length != actual.Length)
            {
                throw new Xunit.Sdk.XunitException($"{what}: length {actual.Length}, expected {expected.Length}");
            }

            for (int i = 0; i < expected.Length; i++)
            {
                float e = expected[i], a = actual[i];
                bool ok = float.IsNaN(e) ? float.IsNaN(a)
                    : float.IsInfinity(e) ? e == a
                    : Math.Abs(a - e) <= 1e-4 + (1e-4 * Math.Abs(e));
                if (!ok)
                {
                    throw new Xunit.Sdk.XunitException(string.Format(CultureInfo.InvariantCulture, "{0}: element {1} is {2:R}, expected {3:R}", what, i, a, e));
                }
            }
        }
    }
}
