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
        AvgPool,
    }

    /// <summary>
    /// One layer as a test describes it. v1 layers use <see cref="Size"/>, <see cref="Stride"/> (0 on a pool: the window
    /// size) and <see cref="Padding"/>; v2 layers (contract section 7) carry their resolved <see cref="Geometry"/> and the
    /// attribute properties that declare it, as written (<see cref="Properties"/>), so that the reference runs from the
    /// numbers and the generator from the text.
    /// </summary>
    public sealed record LayerSpec(Kind Kind, int Count = 0, int Size = 0, int Stride = 1, int Padding = 0, OutputRounding Rounding = OutputRounding.Exact)
    {
        /// <summary>The window per axis (v2); null for a v1 square window. Its paddings are ignored under a <see cref="Mode"/> other than Explicit.</summary>
        public Window2d? Geometry { get; init; }

        /// <summary>The attribute's properties after its constructor arguments, as written (v2 only), e.g. <c>SizeY = 2, PaddingMode = PaddingMode.Same</c>.</summary>
        public string Properties { get; init; } = string.Empty;

        /// <summary>How the reference finds the padding: Explicit (from <see cref="Geometry"/>), Same or SameLower (from the input size).</summary>
        public PaddingMode Mode { get; init; }

        public int Groups { get; init; } = 1;

        public bool Bias { get; init; } = true;

        public bool CountIncludePadding { get; init; } = true;

        public static LayerSpec Conv(int filters, int size, int stride = 1, int padding = 0, OutputRounding rounding = OutputRounding.Exact) =>
            new(Kind.Conv, filters, size, stride, padding, rounding);

        public static LayerSpec Pool(int size, int stride = 0, int padding = 0, OutputRounding rounding = OutputRounding.Exact) =>
            new(Kind.Pool, 0, size, stride, padding, rounding);

        public static LayerSpec Relu() => new(Kind.Relu);

        public static LayerSpec Fc(int outputs) => new(Kind.Fc, outputs);

        /// <summary>
        /// A v2 window layer (conv, max or average pool): <paramref name="window"/> spelled as a person would (per-axis
        /// properties only where the axes differ), or with every per-axis and per-side property when <paramref name="verbose"/>.
        /// </summary>
        public static LayerSpec Windowed(Kind kind, int filters, Window2d window, PaddingMode mode = PaddingMode.Explicit, OutputRounding rounding = OutputRounding.Exact, int groups = 1, bool bias = true, bool countIncludePadding = true, bool verbose = false)
        {
            var p = new List<string>();
            void Pair(string both, string x, string y, int vx, int vy, int unset)
            {
                if (verbose || vx != vy)
                {
                    p.Add($"{x} = {vx}");
                    p.Add($"{y} = {vy}");
                }
                else if (vx != unset)
                {
                    p.Add($"{both} = {vx}");
                }
            }

            // Verbose: the size-less constructor with both sizes as properties.
            if (verbose)
            {
                p.Add($"SizeX = {window.SizeX}");
            }

            if (window.SizeY != window.SizeX || verbose)
            {
                p.Add($"SizeY = {window.SizeY}");
            }

            bool poolDefaultStride = kind != Kind.Conv && window.StrideX == window.SizeX && window.StrideY == window.SizeY;
            if (!poolDefaultStride || verbose)
            {
                Pair("Stride", "StrideX", "StrideY", window.StrideX, window.StrideY, kind == Kind.Conv ? 1 : -1);
            }

            if (kind != Kind.AvgPool)
            {
                Pair("Dilation", "DilationX", "DilationY", window.DilationX, window.DilationY, 1);
            }

            if (mode != PaddingMode.Explicit)
            {
                p.Add("PaddingMode = PaddingMode." + mode);
            }
            else if (verbose || window.PadLeft != window.PadRight || window.PadTop != window.PadBottom)
            {
                p.Add($"PaddingLeft = {window.PadLeft}");
                p.Add($"PaddingRight = {window.PadRight}");
                p.Add($"PaddingTop = {window.PadTop}");
                p.Add($"PaddingBottom = {window.PadBottom}");
            }
            else
            {
                Pair("Padding", "PaddingX", "PaddingY", window.PadLeft, window.PadTop, 0);
            }

            if (groups != 1)
            {
                p.Add($"Groups = {groups}");
            }

            if (!bias)
            {
                p.Add("Bias = false");
            }

            if (!countIncludePadding)
            {
                p.Add("CountIncludePadding = false");
            }

            return new LayerSpec(kind, filters, verbose ? 0 : window.SizeX, Rounding: rounding)
            {
                Geometry = window,
                Properties = string.Join(", ", p),
                Mode = mode,
                Groups = groups,
                Bias = bias,
                CountIncludePadding = countIncludePadding,
            };
        }

        public bool IsPool => Kind is Kind.Pool or Kind.AvgPool;

        /// <summary>Whether the layer has a method (everything but ReLU).</summary>
        public bool HasMethod => Kind != Kind.Relu;

        /// <summary>The window on an input of <paramref name="width"/> × <paramref name="height"/>, Same padding resolved as TensorFlow and ONNX do.</summary>
        public Window2d WindowOn(int width, int height)
        {
            Window2d w = Geometry ?? Window2d.Square(Size, IsPool && Stride == 0 ? Size : Stride, Padding);
            if (Mode == PaddingMode.Explicit)
            {
                return w;
            }

            // Same: output ⌈W/S⌉, total padding max((out − 1)·S + Fd − W, 0), the odd cell at the end (SameLower: at the start).
            (int Begin, int End) Pad(int input, int size, int stride, int dilation)
            {
                int output = (input + stride - 1) / stride;
                int total = Math.Max(((output - 1) * stride) + ((size - 1) * dilation) + 1 - input, 0);
                int small = total / 2;
                return Mode == PaddingMode.Same ? (small, total - small) : (total - small, small);
            }

            (int left, int right) = Pad(width, w.SizeX, w.StrideX, w.DilationX);
            (int top, int bottom) = Pad(height, w.SizeY, w.StrideY, w.DilationY);
            return w with { PadLeft = left, PadRight = right, PadTop = top, PadBottom = bottom };
        }

        /// <summary>The rounding the output size takes: Same padding floors when the padding clamps at 0 (<c>⌈W/S⌉</c> either way).</summary>
        public OutputRounding ShapeRounding(OutputRounding network) =>
            Mode != PaddingMode.Explicit ? OutputRounding.Floor : Rounding != OutputRounding.Exact ? Rounding : network;

        public int WeightCount(int inputLength, int depth) => Kind switch
        {
            Kind.Conv => Count * (depth / Groups) * (Geometry is { } g ? g.SizeX * g.SizeY : Size * Size),
            Kind.Fc => Count * inputLength,
            _ => 0,
        };

        public int BiasCount => Kind is Kind.Conv or Kind.Fc && Bias ? Count : 0;

        public string ToAttribute()
        {
            string rounding = Rounding == OutputRounding.Exact ? string.Empty : ", Rounding = OutputRounding." + Rounding;
            string extra = Geometry is null ? $", Stride = {Stride}, Padding = {Padding}" : Properties.Length > 0 ? ", " + Properties : string.Empty;
            string size = Size > 0 ? Size.ToString(CultureInfo.InvariantCulture) : string.Empty;
            return Kind switch
            {
                Kind.Conv => $"[Conv({Count}{(size.Length > 0 ? ", " + size : string.Empty)}{extra}{rounding})]",
                Kind.Pool => $"[MaxPool({size}{extra}{rounding})]".Replace("(, ", "("),
                Kind.AvgPool => $"[AvgPool({size}{extra}{rounding})]".Replace("(, ", "("),
                Kind.Relu => "[Relu]",
                _ => $"[FullyConnected({Count}{(Properties.Length > 0 ? ", " + Properties : string.Empty)})]",
            };
        }

        public override string ToString() => ToAttribute();
    }

    /// <summary>A whole network: input and layers, with the reference forward pass written from the formulas.</summary>
    public sealed record NetSpec(int Width, int Height, int Depth, IReadOnlyList<LayerSpec> Layers)
    {
        /// <summary>Input's network-wide Rounding (contract 7.1): every layer that sets none takes it.</summary>
        public OutputRounding Rounding { get; init; }

        public int InputLength => Width * Height * Depth;

        private string InputAttribute => $"[Input({Width}, {Height}, {Depth}{(Rounding == OutputRounding.Exact ? string.Empty : ", Rounding = OutputRounding." + Rounding)})]";

        public override string ToString() => InputAttribute + " " + string.Join(" ", Layers.Select(l => l.ToAttribute()));

        private static string Qualified(string attribute) =>
            attribute.Replace("[", "[CnnGen.").Replace("OutputRounding.", "CnnGen.OutputRounding.").Replace("PaddingMode.", "CnnGen.PaddingMode.");

        /// <summary>C# source declaring the network as <paramref name="className"/>, implementing <see cref="ITestNetwork"/>.</summary>
        public string ToSource(string className)
        {
            var b = new StringBuilder();
            b.AppendLine(Qualified(InputAttribute));
            foreach (LayerSpec layer in Layers)
            {
                b.AppendLine(Qualified(layer.ToAttribute()));
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
                string call = layer.IsPool ? $"{name}(input, output)" : layer.Bias ? $"{name}(input, weight, bias, output)" : $"{name}(input, weight, output)";
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
                if (layer.HasMethod)
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
                    case Kind.Conv or Kind.Pool or Kind.AvgPool:
                        (w, h) = OutputOf(layer, w, h);
                        d = layer.Kind == Kind.Conv ? layer.Count : d;
                        break;
                    case Kind.Fc:
                        (w, h, d) = (1, 1, layer.Count);
                        break;
                }
            }

            return volumes;
        }

        private (int Width, int Height) OutputOf(LayerSpec layer, int w, int h)
        {
            Window2d window = layer.WindowOn(w, h);
            OutputRounding rounding = layer.ShapeRounding(Rounding);
            return (ReferenceLayers.OutputSize(w, window.SizeX, window.StrideX, window.PadLeft, window.PadRight, window.DilationX, rounding),
                ReferenceLayers.OutputSize(h, window.SizeY, window.StrideY, window.PadTop, window.PadBottom, window.DilationY, rounding));
        }

        /// <summary>The generator's plan for this network (its checker and planner on the same declaration), for tests that ask which kernel a layer gets.</summary>
        internal Generator.Planning.NetworkPlan Plan()
        {
            var layers = Layers.Select(l => new Generator.Model.LayerSpec(
                ModelKind(l.Kind),
                l.Kind switch
                {
                    Kind.Conv => l.Size > 0 ? Generator.Model.EquatableArray.Of(l.Count, l.Size) : Generator.Model.EquatableArray.Of(l.Count),
                    Kind.Pool or Kind.AvgPool => l.Size > 0 ? Generator.Model.EquatableArray.Of(l.Size) : default,
                    Kind.Fc => Generator.Model.EquatableArray.Of(l.Count),
                    _ => default,
                },
                Generator.Model.EquatableArray.From(Settings(l)),
                null));
            var spec = new Generator.Model.NetworkSpec(
                new Generator.Model.ClassSpec("Net", "Net", "class", string.Empty, default, "Net.g.cs"),
                new Generator.Model.InputSpec(Width, Height, Depth, (int)Rounding),
                Generator.Model.EquatableArray.From(layers));
            Generator.Model.NetworkModel model = Generator.Checking.NetworkChecker.Check(spec, analyze: false, System.Threading.CancellationToken.None).Model
                ?? throw new InvalidOperationException(this + " is not a valid network");
            return Generator.Planning.NetworkPlanner.Plan(model);
        }

        /// <summary>The settings the generator's reader would make of the layer's properties (numbers, booleans as 0/1, enum members by value).</summary>
        private static List<Generator.Model.Setting> Settings(LayerSpec l)
        {
            var settings = new List<Generator.Model.Setting>();
            if (l.Kind is Kind.Relu)
            {
                return settings;
            }

            if (l.Geometry is null && l.Kind != Kind.Fc)
            {
                settings.Add(new Generator.Model.Setting("Stride", l.Stride, null));
                settings.Add(new Generator.Model.Setting("Padding", l.Padding, null));
            }

            foreach (string pair in l.Properties.Split(", ", StringSplitOptions.RemoveEmptyEntries))
            {
                string[] parts = pair.Split(" = ");
                string value = parts[1];
                settings.Add(value switch
                {
                    "true" => new Generator.Model.Setting(parts[0], 1, null),
                    "false" => new Generator.Model.Setting(parts[0], 0, null),
                    _ when value.StartsWith("PaddingMode.", StringComparison.Ordinal) => new Generator.Model.Setting(parts[0], (int)Enum.Parse<PaddingMode>(value.Substring(12)), null),
                    _ when value.StartsWith('"') => new Generator.Model.Setting(parts[0], 0, value.Trim('"')),
                    _ => new Generator.Model.Setting(parts[0], int.Parse(value, CultureInfo.InvariantCulture), null),
                });
            }

            if (l.Rounding != OutputRounding.Exact)
            {
                settings.Add(new Generator.Model.Setting("Rounding", (int)l.Rounding, null));
            }

            return settings;
        }

        private static Generator.Model.LayerKind ModelKind(Kind kind) => kind switch
        {
            Kind.Conv => Generator.Model.LayerKind.Conv,
            Kind.Pool => Generator.Model.LayerKind.MaxPool,
            Kind.AvgPool => Generator.Model.LayerKind.AvgPool,
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
                float[] weight = parameters.AsSpan(offset, layer.WeightCount(current.Length, d)).ToArray();
                offset += weight.Length;
                float[] bias = parameters.AsSpan(offset, layer.BiasCount).ToArray();
                offset += bias.Length;
                switch (layer.Kind)
                {
                    case Kind.Conv or Kind.Pool or Kind.AvgPool:
                    {
                        (int ow, int oh) = OutputOf(layer, w, h);
                        Window2d window = layer.WindowOn(w, h);
                        OutputRounding rounding = layer.ShapeRounding(Rounding);
                        int od = layer.Kind == Kind.Conv ? layer.Count : d;
                        var output = new float[ow * oh * od];
                        switch (layer.Kind)
                        {
                            case Kind.Conv:
                                ReferenceLayers.Conv2d(current, w, h, d, weight, bias, layer.Count, layer.Groups, window, rounding, output);
                                break;
                            case Kind.Pool:
                                ReferenceLayers.MaxPool2d(current, w, h, d, window, rounding, output);
                                break;
                            default:
                                ReferenceLayers.AvgPool2d(current, w, h, d, window, layer.CountIncludePadding, rounding, output);
                                break;
                        }

                        steps.Add(new ReferenceStep(current, weight, bias, output));
                        (current, w, h, d) = (output, ow, oh, od);
                        break;
                    }

                    case Kind.Fc:
                    {
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
