using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using CnnGen.Reference;
using CnnGen.Tests.Infrastructure;
using CsCheck;
using Xunit;

namespace CnnGen.Tests.Numerics
{
    /// <summary>
    /// Random residual and branching networks (contract v2, section 7.3): convs that keep or change the depth (grouped,
    /// depthwise, without bias), batch norms, every activation, Add of an earlier layer of the same shape, Concat of earlier
    /// layers of the same width and height, From, and a head of global pooling, a fully-connected layer and softmax. Each
    /// is compiled once and its <c>Forward</c> checked against the reference kernels run layer by layer on the same
    /// parameters, so fusing (a ReLU or ReLU6 into a conv, a batch norm folded into it, a ReLU into an Add) and the buffer
    /// plan (values kept while read, steps in place) are checked on graphs no test wrote by hand.
    /// </summary>
    public sealed class RandomGraphTests : IClassFixture<RandomGraphTests.Compiled>
    {
        public const int Count = 60 + 16 + 3;

        private readonly Compiled _compiled;

        public RandomGraphTests(Compiled compiled)
        {
            _compiled = compiled;
        }

        public static IEnumerable<object[]> Indices => Enumerable.Range(0, Count).Select(i => new object[] { i });

        [Theory]
        [MemberData(nameof(Indices))]
        public void Forward_matches_the_reference_kernels_on_a_random_graph(int index)
        {
            (GraphSpec spec, INetwork net, float[] parameters, float[] input) = Prepare(index, seed: index + 1);
            var output = new float[spec.OutputLength];
            net.Forward(input, output);
            Numbers.AssertClose(spec.Reference(input, parameters), output, "RandomGraph" + index + ": " + spec.Declaration);
        }

        [Fact]
        public void The_random_graphs_use_every_graph_feature()
        {
            string all = string.Join(" ", _compiled.Specs.Select(s => s.Declaration));
            foreach (string feature in new[] { "[Add(", "[Concat(", "From = ", "[BatchNorm", "[Relu6", "[LeakyRelu", "[Sigmoid", "[Tanh", "[HardSwish", "[Silu", "[Softmax", "[GlobalAvgPool", "[GlobalMaxPool", "Groups = ", "Bias = false", "\"Input\"" })
            {
                Assert.Contains(feature, all, StringComparison.Ordinal);
            }
        }

        [Theory]
        [MemberData(nameof(Indices))]
        public void Forward_relies_on_nothing_left_in_its_scratch_and_matches_on_every_path(int index)
        {
            // A first call, then every [ThreadStatic] float array of the network (activations, copies) filled with NaN: a
            // value must not depend on what a slot held (the carried layout zeroes its borders on every call). Then each
            // vector width this machine runs and the scalar kernels.
            (GraphSpec spec, INetwork net, float[] parameters, float[] input) = Prepare(index, seed: index + 7);
            float[] expected = spec.Reference(input, parameters);
            var output = new float[spec.OutputLength];
            net.Forward(input, output);
            KernelPaths.PoisonScratch(net);

            Array.Fill(output, 0f);
            net.Forward(input, output);
            Numbers.AssertClose(expected, output, "RandomGraph" + index + " after its scratch was filled with NaN: " + spec.Declaration);
            KernelPaths.AssertEveryPath(net, input, expected, "RandomGraph" + index + ": " + spec.Declaration);
        }

        [Fact]
        public void The_random_graphs_carry_padded_planes_into_convs_and_adds()
        {
            // The hand-written limits (the last three graphs): an Add of two values a conv reads is read padded on one
            // side only (the second conv does not carry); a value two convs read, or a Concat, is not carried at all.
            string twoCarried = _compiled.Generated[Count - 3], twoReaders = _compiled.Generated[Count - 2], concat = _compiled.Generated[Count - 1];
            Assert.Equal(1, Occurrences(twoCarried, "AddPadded"));
            Assert.Equal(1, Occurrences(twoCarried, "paddedOut: true"));
            Assert.DoesNotContain("paddedOut: true", twoReaders, StringComparison.Ordinal);
            Assert.DoesNotContain("paddedOut: true", concat, StringComparison.Ordinal);

            // The carried layout in Forward's vector steps: a conv storing its output in the next conv's padded planes,
            // that conv reading them, an Add reading its operand from them.
            Assert.True(_compiled.Generated.Count(g => g.Contains("paddedOut: true", StringComparison.Ordinal)) >= 4, "too few random graphs carry a conv's output in padded planes");
            Assert.Contains(_compiled.Generated, g => g.Contains("AddPadded", StringComparison.Ordinal));
            Assert.Contains(_compiled.Generated, g => g.Contains("paddedIn: true, paddedOut: true", StringComparison.Ordinal));

            // Adds fused into the store of the conv before them: the residual CHW, in padded planes, and the conv storing
            // into the output where the Add is the last step.
            Assert.Contains(_compiled.Generated, g => g.Contains("residual: a.Slice(", StringComparison.Ordinal) && g.Contains("fused into the store: + L", StringComparison.Ordinal));
            Assert.Contains(_compiled.Generated, g => g.Contains("(read in the padded planes its conv stored)", StringComparison.Ordinal));
            Assert.Contains(_compiled.Generated, g => g.Contains("output, relu: false, residual: ", StringComparison.Ordinal) || g.Contains("output, relu: true, residual: ", StringComparison.Ordinal));
        }

        /// <summary>Graph <paramref name="index"/>'s network with random parameters set, and a random input.</summary>
        private (GraphSpec Spec, INetwork Net, float[] Parameters, float[] Input) Prepare(int index, int seed)
        {
            GraphSpec spec = _compiled.Specs[index];
            var net = (INetwork)Activator.CreateInstance(_compiled.Assembly.GetType("RandomGraph" + index, throwOnError: true)!)!;
            var random = new Random(seed);
            float[] parameters = spec.Parameters(random);
            net.SetParameters(parameters);
            float[] input = Numbers.Random(random, spec.InputLength, 8f); // wide enough that ReLU6 and the other kinks clamp
            return (spec, net, parameters, input);
        }

        private static int Occurrences(string text, string part) => (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;

        /// <summary>All the random graphs in one compilation.</summary>
        public sealed class Compiled
        {
            public Compiled()
            {
                var pcg = new PCG(11, 20261130);
                // 60 graphs of any width, then 16 of width 16 or 32: output rows of whole vectors, where a conv stores its output
                // in the next conv's padded planes and an Add reads its operand there (the carried layout).
                Specs = Enumerable.Range(0, 60).Select(_ => GraphSpec.Build(new Random(Gen.Int.Generate(pcg, null, out Size _))))
                    .Concat(Enumerable.Range(0, 16).Select(i => GraphSpec.Residual(new Random(500 + i), width: i % 2 == 0 ? 16 : 32)))
                    .Concat(GraphSpec.CarryLimits()).ToList();
                var source = new StringBuilder("using CnnGen;\n");
                for (int i = 0; i < Specs.Count; i++)
                {
                    source.AppendLine(Specs[i].Declaration);
                    source.AppendLine("public partial class RandomGraph" + i + " : CnnGen.Tests.Infrastructure.INetwork { }");
                }

                CompileResult result = TestCompiler.Compile(source.ToString());
                var bad = result.All.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ToList();
                if (bad.Count > 0)
                {
                    throw new Xunit.Sdk.XunitException("Unexpected diagnostics:\n" + string.Join("\n", bad.Take(10)));
                }

                Assembly = result.Load();
                Generated = Enumerable.Range(0, Count).Select(i => result.GeneratedSource("RandomGraph" + i + ".g.cs")).ToList();
            }

            /// <summary>Each graph's generated source.</summary>
            public IReadOnlyList<string> Generated { get; }

            public IReadOnlyList<GraphSpec> Specs { get; }

            public System.Reflection.Assembly Assembly { get; }
        }

        /// <summary>One layer of a random graph: what it is, what it reads (−1: the input) and the volume it makes.</summary>
        public sealed record Node(string Kind, int[] Sources, (int W, int H, int D) Output, string Attribute)
        {
            public int Filters { get; init; }

            public int Size { get; init; }

            public int Groups { get; init; } = 1;

            public bool Bias { get; init; } = true;

            public float Value { get; init; }
        }

        /// <summary>A random graph: its declaration, its layers, and the reference forward pass.</summary>
        public sealed class GraphSpec
        {
            private GraphSpec(int w, int h, int d, List<Node> nodes)
            {
                Width = w;
                Height = h;
                Depth = d;
                Nodes = nodes;
                var b = new StringBuilder(FormattableString.Invariant($"[Input({w}, {h}, {d})]"));
                foreach (Node node in nodes)
                {
                    b.Append(' ').Append(node.Attribute);
                }

                Declaration = b.ToString();
            }

            public int Width { get; }

            public int Height { get; }

            public int Depth { get; }

            public IReadOnlyList<Node> Nodes { get; }

            public string Declaration { get; }

            public int InputLength => Width * Height * Depth;

            public int OutputLength => Length(Nodes[^1].Output);

            private static int Length((int W, int H, int D) v) => v.W * v.H * v.D;

            public static GraphSpec Build(Random r)
            {
                int w = r.Next(3, 20), h = r.Next(2, 9), d = r.Next(1, 7);
                var nodes = new List<Node>();
                (int W, int H, int D) Volume(int i) => i < 0 ? (w, h, d) : nodes[i].Output;
                string Name(int i) => i < 0 ? "Input" : "L" + i;
                int layers = r.Next(3, 10);
                for (int i = 0; i < layers; i++)
                {
                    int source = i - 1;
                    string from = string.Empty;
                    if (i > 0 && r.Next(5) == 0)
                    {
                        source = r.Next(-1, i - 1);
                        from = ", From = \"" + Name(source) + "\"";
                    }

                    (int W, int H, int D) input = Volume(source);
                    string name = "Name = \"L" + i + "\"";
                    switch (r.Next(9))
                    {
                        case 0:
                        case 1:
                        {
                            // A conv that keeps width and height (size 1 or 3, padding to match), maybe grouped or depthwise.
                            int size = r.Next(2) == 0 ? 1 : 3, groups = 1;
                            int filters = r.Next(1, 9);
                            if (r.Next(3) == 0)
                            {
                                groups = input.D;
                                filters = input.D * r.Next(1, 3);
                            }
                            else if (r.Next(3) == 0 && input.D % 2 == 0)
                            {
                                groups = 2;
                                filters = 2 * r.Next(1, 5);
                            }

                            bool bias = r.Next(3) != 0;
                            string props = (size == 3 ? ", Padding = 1" : string.Empty) + (groups > 1 ? ", Groups = " + groups : string.Empty) + (bias ? string.Empty : ", Bias = false");
                            nodes.Add(new Node("conv", new[] { source }, (input.W, input.H, filters), $"[Conv({filters}, {size}{props}, {name}{from})]") { Filters = filters, Size = size, Groups = groups, Bias = bias });
                            break;
                        }

                        case 2:
                        {
                            float eps = r.Next(2) == 0 ? 1e-5f : 1e-3f;
                            string props = eps == 1e-5f ? string.Empty : "Epsilon = 0.001f, ";
                            nodes.Add(new Node("bn", new[] { source }, input, $"[BatchNorm({props}{name}{from})]") { Value = eps });
                            break;
                        }

                        case 3:
                        case 4:
                        {
                            string[] kinds = { "Relu", "Relu6", "LeakyRelu", "Sigmoid", "Tanh", "HardSwish", "Silu" };
                            string kind = kinds[r.Next(kinds.Length)];
                            float slope = kind == "LeakyRelu" ? (r.Next(2) == 0 ? 0.01f : 0.2f) : 0f;
                            string props = kind == "LeakyRelu" && slope != 0.01f ? "Slope = 0.2f, " : string.Empty;
                            nodes.Add(new Node(kind, new[] { source }, input, $"[{kind}({props}{name}{from})]") { Value = slope });
                            break;
                        }

                        case 5:
                        case 6:
                        {
                            // Add an earlier output of the same shape, if there is one.
                            int[] same = Enumerable.Range(-1, i + 1).Where(j => j != source && Volume(j) == input).ToArray();
                            if (same.Length == 0)
                            {
                                i--;
                                continue;
                            }

                            int other = same[r.Next(same.Length)];
                            nodes.Add(new Node("add", new[] { source, other }, input, $"[Add(\"{Name(other)}\", {name}{from})]"));
                            break;
                        }

                        case 7:
                        {
                            // Concat the current volume (named) with other outputs of the same width and height.
                            int[] same = Enumerable.Range(-1, i + 1).Where(j => Volume(j).W == input.W && Volume(j).H == input.H).ToArray();
                            int[] parts = new[] { source }.Concat(Enumerable.Range(0, r.Next(1, 3)).Select(_ => same[r.Next(same.Length)])).ToArray();
                            nodes.Add(new Node("concat", parts, (input.W, input.H, parts.Sum(p => Volume(p).D)), $"[Concat({string.Join(", ", parts.Select(p => "\"" + Name(p) + "\""))}, {name})]"));
                            break;
                        }

                        default:
                            i--;
                            continue;
                    }
                }

                // A head, half the time: a global pool, a fully-connected layer and a softmax (or a softmax over depth alone).
                int last = nodes.Count - 1;
                if (r.Next(2) == 0)
                {
                    (int W, int H, int D) v = Volume(last);
                    string pool = r.Next(2) == 0 ? "GlobalAvgPool" : "GlobalMaxPool";
                    nodes.Add(new Node(pool, new[] { last }, (1, 1, v.D), $"[{pool}]"));
                    int outputs = r.Next(1, 20);
                    nodes.Add(new Node("fc", new[] { last + 1 }, (1, 1, outputs), $"[FullyConnected({outputs})]") { Filters = outputs });
                    nodes.Add(new Node("softmax", new[] { last + 2 }, (1, 1, outputs), "[Softmax]"));
                }
                else if (r.Next(2) == 0)
                {
                    nodes.Add(new Node("softmax", new[] { last }, Volume(last), "[Softmax]"));
                }

                return new GraphSpec(w, h, d, nodes);
            }

            /// <summary>
            /// Residual blocks on rows of whole vectors (<paramref name="width"/> 16 or 32): a stem conv, then one or two blocks
            /// of two or three convs (3x3 padded or 1x1, grouped sometimes, a batch norm and a ReLU or ReLU6 after some) whose
            /// sum with the block's input is the next block's input, the Add written either way round (the block's input as
            /// the first operand or the second). In Forward the convs store into the next conv's padded planes and the Adds
            /// read the block's input there.
            /// </summary>
            public static GraphSpec Residual(Random r, int width)
            {
                int h = r.Next(2, 6), d = r.Next(1, 5), k = 2 * r.Next(1, 5);
                var nodes = new List<Node>();
                (int W, int H, int D) Volume(int i) => i < 0 ? (width, h, d) : nodes[i].Output;
                string Name(int i) => i < 0 ? "Input" : "L" + i;
                void Conv(int filters, int size, int groups)
                {
                    int i = nodes.Count;
                    bool bias = r.Next(3) != 0;
                    string props = (size == 3 ? ", Padding = 1" : string.Empty) + (groups > 1 ? ", Groups = " + groups : string.Empty) + (bias ? string.Empty : ", Bias = false");
                    nodes.Add(new Node("conv", new[] { i - 1 }, (width, h, filters), $"[Conv({filters}, {size}{props}, Name = \"{Name(i)}\")]") { Filters = filters, Size = size, Groups = groups, Bias = bias });
                }

                void After()
                {
                    int i = nodes.Count;
                    if (r.Next(2) == 0)
                    {
                        nodes.Add(new Node("bn", new[] { i - 1 }, Volume(i - 1), $"[BatchNorm(Name = \"{Name(i)}\")]") { Value = 1e-5f });
                        i++;
                    }

                    string kind = r.Next(3) switch { 0 => "Relu", 1 => "Relu6", _ => string.Empty };
                    if (kind.Length > 0)
                    {
                        nodes.Add(new Node(kind, new[] { i - 1 }, Volume(i - 1), $"[{kind}(Name = \"{Name(i)}\")]"));
                    }
                }

                Conv(k, 3, 1);
                After();
                for (int block = r.Next(1, 3); block > 0; block--)
                {
                    int start = nodes.Count - 1;
                    for (int c = r.Next(2, 4); c > 0; c--)
                    {
                        Conv(k, r.Next(4) == 0 ? 1 : 3, r.Next(3) == 0 ? 2 : 1);
                        After();
                    }

                    int main = nodes.Count - 1, at = nodes.Count;
                    nodes.Add(r.Next(2) == 0
                        ? new Node("add", new[] { main, start }, Volume(main), $"[Add(\"{Name(start)}\", Name = \"{Name(at)}\")]")
                        : new Node("add", new[] { start, main }, Volume(main), $"[Add(\"{Name(main)}\", Name = \"{Name(at)}\", From = \"{Name(start)}\")]"));
                    if (r.Next(2) == 0)
                    {
                        nodes.Add(new Node("Relu", new[] { at }, Volume(at), $"[Relu(Name = \"{Name(at + 1)}\")]"));
                    }
                }

                return new GraphSpec(width, h, d, nodes);
            }

            /// <summary>
            /// Three graphs at the carried layout's limits, on rows of 16: A, B, C convs in a chain with S = B + A and C + S
            /// (A and B each read by a conv and by S: only A may carry, S reads one padded operand); C read by a conv from A
            /// beside B (A read by two convs: not carried); A read by B and a Concat (not carried).
            /// </summary>
            public static IEnumerable<GraphSpec> CarryLimits()
            {
                (int W, int H, int D) v = (16, 3, 4);
                Node Conv(int i, int source, string from = "") => new("conv", new[] { source }, v, $"[Conv(4, 3, Padding = 1, Name = \"L{i}\"{from})]") { Filters = 4, Size = 3 };
                yield return new GraphSpec(16, 3, 2, new List<Node>
                {
                    Conv(0, -1), Conv(1, 0), Conv(2, 1),
                    new("add", new[] { 1, 0 }, v, "[Add(\"L0\", Name = \"L3\", From = \"L1\")]"),
                    new("add", new[] { 2, 3 }, v, "[Add(\"L3\", Name = \"L4\", From = \"L2\")]"),
                });
                yield return new GraphSpec(16, 3, 2, new List<Node>
                {
                    Conv(0, -1), Conv(1, 0), Conv(2, 0, ", From = \"L0\""),
                    new("add", new[] { 2, 1 }, v, "[Add(\"L1\", Name = \"L3\")]"),
                });
                yield return new GraphSpec(16, 3, 2, new List<Node>
                {
                    Conv(0, -1), Conv(1, 0),
                    new("concat", new[] { 1, 0 }, (16, 3, 8), "[Concat(\"L1\", \"L0\", Name = \"L2\")]"),
                });
            }

            /// <summary>Random parameters in declaration order (weights scaled by the fan-in, batch-norm variances positive).</summary>
            public float[] Parameters(Random r)
            {
                var values = new List<float>();
                foreach (Node node in Nodes)
                {
                    (int W, int H, int D) input = Volume(node.Sources[0]);
                    if (node.Kind == "conv")
                    {
                        int fanIn = input.D / node.Groups * node.Size * node.Size;
                        values.AddRange(Numbers.Random(r, node.Filters * fanIn, 1f / MathF.Sqrt(fanIn)));
                        values.AddRange(node.Bias ? Numbers.Random(r, node.Filters, 3f) : Array.Empty<float>());
                    }
                    else if (node.Kind == "fc")
                    {
                        values.AddRange(Numbers.Random(r, node.Filters * Length(input), 1f / MathF.Sqrt(Length(input))));
                        values.AddRange(Numbers.Random(r, node.Filters));
                    }
                    else if (node.Kind == "bn")
                    {
                        values.AddRange(Numbers.Random(r, input.D).Select(v => 1 + (0.3f * v)));
                        values.AddRange(Numbers.Random(r, input.D, 0.3f));
                        values.AddRange(Numbers.Random(r, input.D, 0.5f));
                        values.AddRange(Numbers.Random(r, input.D).Select(v => 1.25f + (0.75f * v)));
                    }
                }

                return values.ToArray();
            }

            /// <summary>The reference kernels, layer by layer, every output kept.</summary>
            public float[] Reference(float[] input, float[] parameters)
            {
                var outputs = new List<float[]>();
                float[] Of(int i) => i < 0 ? input : outputs[i];
                int o = 0;
                ReadOnlySpan<float> Take(int n)
                {
                    ReadOnlySpan<float> s = parameters.AsSpan(o, n);
                    o += n;
                    return s;
                }

                foreach (Node node in Nodes)
                {
                    (int W, int H, int D) v = Volume(node.Sources[0]);
                    float[] x = Of(node.Sources[0]);
                    var y = new float[Length(node.Output)];
                    switch (node.Kind)
                    {
                        case "conv":
                        {
                            ReadOnlySpan<float> weight = Take(node.Filters * (v.D / node.Groups) * node.Size * node.Size);
                            ReadOnlySpan<float> bias = node.Bias ? Take(node.Filters) : ReadOnlySpan<float>.Empty;
                            ReferenceLayers.Conv2d(x, v.W, v.H, v.D, weight, bias, node.Filters, node.Groups, Window2d.Square(node.Size, 1, node.Size / 2), OutputRounding.Exact, y);
                            break;
                        }

                        case "fc":
                        {
                            ReadOnlySpan<float> weight = Take(node.Filters * x.Length);
                            ReferenceLayers.Linear(x, weight, Take(node.Filters), y);
                            break;
                        }

                        case "bn":
                        {
                            ReadOnlySpan<float> weight = Take(v.D), bias = Take(v.D), mean = Take(v.D), variance = Take(v.D);
                            ReferenceLayers.BatchNorm(x, v.W, v.H, v.D, weight, bias, mean, variance, node.Value, y);
                            break;
                        }

                        case "Relu": ReferenceLayers.Relu(x, y); break;
                        case "Relu6": ReferenceLayers.Relu6(x, y); break;
                        case "LeakyRelu": ReferenceLayers.LeakyRelu(x, node.Value, y); break;
                        case "Sigmoid": ReferenceLayers.Sigmoid(x, y); break;
                        case "Tanh": ReferenceLayers.Tanh(x, y); break;
                        case "HardSwish": ReferenceLayers.HardSwish(x, y); break;
                        case "Silu": ReferenceLayers.Silu(x, y); break;
                        case "softmax": ReferenceLayers.Softmax(x, v.W, v.H, v.D, y); break;
                        case "GlobalAvgPool": ReferenceLayers.GlobalAvgPool(x, v.W, v.H, v.D, y); break;
                        case "GlobalMaxPool": ReferenceLayers.GlobalMaxPool(x, v.W, v.H, v.D, y); break;
                        case "add": ReferenceLayers.Add(x, Of(node.Sources[1]), y); break;
                        case "concat":
                        {
                            int at = 0;
                            foreach (int part in node.Sources)
                            {
                                Of(part).CopyTo(y, at);
                                at += Of(part).Length;
                            }

                            break;
                        }

                        default: throw new InvalidOperationException(node.Kind);
                    }

                    outputs.Add(y);
                }

                return outputs[^1];
            }

            private (int W, int H, int D) Volume(int i) => i < 0 ? (Width, Height, Depth) : Nodes[i].Output;
        }
    }
}
