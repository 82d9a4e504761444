using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using CnnGen.Generator.Emitting;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace CnnGen.Tests.Generation
{
    /// <summary>
    /// The planner and the emitters from hand-built models (no attributes, no parser): windows that differ per axis and
    /// asymmetric padding, which the attributes cannot say yet, checked on every kernel path against a naive loop; and
    /// every identifier the emitters declare checked against <see cref="GeneratedNames"/>, the list CNN007 reads.
    /// </summary>
    public sealed class EmitterTests
    {
        private static readonly ClassSpec Class = new("Net", "Net", "class", "Hand", default, "Hand.Net.g.cs");

        /// <summary>Builds a network model layer by layer, as the checker would, from the windows given.</summary>
        private sealed class ModelBuilder
        {
            private readonly List<LayerModel> _layers = new();
            private Volume _current;
            private int _parameters;
            private int _conv;
            private int _pool;
            private int _fc;

            public ModelBuilder(int width, int height, int depth) => Input = _current = new Volume(width, height, depth);

            public Volume Input { get; }

            public ModelBuilder Conv(int filters, Window window)
            {
                Volume output = new((int)Out(_current.Width, window.SizeX, window.StrideX, window.PadLeft, window.PadRight), (int)Out(_current.Height, window.SizeY, window.StrideY, window.PadTop, window.PadBottom), filters);
                int weights = filters * _current.Depth * window.Taps;
                string name = "Conv" + ++_conv;
                _layers.Add(new LayerModel(LayerKind.Conv, _layers.Count, name, name, _current, output, window, default, new Slice(_parameters, weights), new Slice(_parameters + weights, filters)));
                _parameters += weights + filters;
                _current = output;
                return this;
            }

            public ModelBuilder Pool(Window window)
            {
                Volume output = new((int)Out(_current.Width, window.SizeX, window.StrideX, window.PadLeft, window.PadRight), (int)Out(_current.Height, window.SizeY, window.StrideY, window.PadTop, window.PadBottom), _current.Depth);
                string name = "Pool" + ++_pool;
                _layers.Add(new LayerModel(LayerKind.MaxPool, _layers.Count, name, name, _current, output, window, default, default, default));
                _current = output;
                return this;
            }

            public ModelBuilder Relu()
            {
                _layers.Add(new LayerModel(LayerKind.Relu, _layers.Count, string.Empty, string.Empty, _current, _current, null, default, default, default));
                return this;
            }

            public ModelBuilder Fc(int outputs)
            {
                string name = "Fc" + ++_fc;
                var output = new Volume(1, 1, outputs);
                _layers.Add(new LayerModel(LayerKind.FullyConnected, _layers.Count, name, name, _current, output, null, default, new Slice(_parameters, _current.Length * outputs), new Slice(_parameters + (_current.Length * outputs), outputs)));
                _parameters += (_current.Length + 1) * outputs;
                _current = output;
                return this;
            }

            public NetworkModel Build() => new(Class, Input, EquatableArray.From(_layers), _parameters);

            /// <summary>A naive, independent per-axis output size: ⌊(W + Pbegin + Pend − F)/S⌋ + 1.</summary>
            private static long Out(int input, int size, int stride, int before, int after) => ((input + before + after - size) / stride) + 1;
        }

        /// <summary>Naive loops over the hand-built model: zero padding for convs, −∞ for pools, NaN propagating.</summary>
        private static float[] Reference(NetworkModel model, float[] input, float[] parameters)
        {
            float[] x = input;
            foreach (LayerModel l in model.Layers)
            {
                Volume i = l.Input, o = l.Output;
                var y = new float[o.Length];
                switch (l.Kind)
                {
                    case LayerKind.Conv:
                    {
                        Window w = l.Window!;
                        for (int k = 0; k < o.Depth; k++)
                        {
                            for (int oy = 0; oy < o.Height; oy++)
                            {
                                for (int ox = 0; ox < o.Width; ox++)
                                {
                                    double sum = parameters[l.Bias.Offset + k];
                                    for (int d = 0; d < i.Depth; d++)
                                    {
                                        for (int fy = 0; fy < w.SizeY; fy++)
                                        {
                                            for (int fx = 0; fx < w.SizeX; fx++)
                                            {
                                                int iy = (oy * w.StrideY) + fy - w.PadTop, ix = (ox * w.StrideX) + fx - w.PadLeft;
                                                float v = iy < 0 || iy >= i.Height || ix < 0 || ix >= i.Width ? 0f : x[(((d * i.Height) + iy) * i.Width) + ix];
                                                sum += (double)parameters[l.Weight.Offset + (((((k * i.Depth) + d) * w.SizeY) + fy) * w.SizeX) + fx] * v;
                                            }
                                        }
                                    }

                                    y[(((k * o.Height) + oy) * o.Width) + ox] = (float)sum;
                                }
                            }
                        }

                        break;
                    }

                    case LayerKind.MaxPool:
                    {
                        Window w = l.Window!;
                        for (int d = 0; d < o.Depth; d++)
                        {
                            for (int oy = 0; oy < o.Height; oy++)
                            {
                                for (int ox = 0; ox < o.Width; ox++)
                                {
                                    float max = float.NegativeInfinity;
                                    for (int fy = 0; fy < w.SizeY; fy++)
                                    {
                                        for (int fx = 0; fx < w.SizeX; fx++)
                                        {
                                            int iy = (oy * w.StrideY) + fy - w.PadTop, ix = (ox * w.StrideX) + fx - w.PadLeft;
                                            float v = iy < 0 || iy >= i.Height || ix < 0 || ix >= i.Width ? float.NegativeInfinity : x[(((d * i.Height) + iy) * i.Width) + ix];
                                            max = float.IsNaN(v) || v > max ? v : max;
                                        }
                                    }

                                    y[(((d * o.Height) + oy) * o.Width) + ox] = max;
                                }
                            }
                        }

                        break;
                    }

                    case LayerKind.FullyConnected:
                        for (int j = 0; j < o.Depth; j++)
                        {
                            double sum = parameters[l.Bias.Offset + j];
                            for (int k = 0; k < i.Length; k++)
                            {
                                sum += (double)parameters[l.Weight.Offset + (j * i.Length) + k] * x[k];
                            }

                            y[j] = (float)sum;
                        }

                        break;

                    default:
                        for (int k = 0; k < x.Length; k++)
                        {
                            y[k] = x[k] < 0f ? 0f : x[k];
                        }

                        break;
                }

                x = y;
            }

            return x;
        }

        /// <summary>Plans and emits the model, compiles the source alone (no generator), and checks every kernel path against <see cref="Reference"/>.</summary>
        private static void AssertRunsLikeTheReference(NetworkModel model)
        {
            NetworkPlan plan = NetworkPlanner.Plan(model);
            string source = NetworkEmitter.Emit(plan, CancellationToken.None);
            CompileResult result = TestCompiler.Compile(TestCompiler.CreateCompilation(source), TestCompiler.CreateDriver());
            result.AssertClean();
            Type type = result.Load().GetType("Hand.Net", throwOnError: true)!;
            object net = Activator.CreateInstance(type)!;

            var random = new Random(model.ParameterCount);
            float[] parameters = Numbers.Random(random, model.ParameterCount);
            float[] input = Numbers.Random(random, model.Input.Length, 2f);
            SetParameters(type, net, parameters);
            float[] expected = Reference(model, input, parameters);
            foreach (string path in KernelPaths.Available)
            {
                var output = new float[expected.Length];
                KernelPaths.Forward(net, path, input, output);
                Numbers.AssertClose(expected, output, "hand-built network on the " + path + " path");
            }
        }

        private delegate void SpanAction(ReadOnlySpan<float> values);

        private static void SetParameters(Type type, object net, float[] parameters) =>
            type.GetMethod("SetParameters")!.CreateDelegate<SpanAction>(net)(parameters);

        [Theory]
        [InlineData(1, 1, 0, 0, 0, 0)]
        [InlineData(2, 1, 1, 0, 0, 1)]
        [InlineData(1, 2, 0, 2, 1, 0)]
        [InlineData(3, 2, 2, 1, 0, 2)]
        [InlineData(2, 3, 0, 1, 2, 0)]
        public void Convs_with_windows_strides_and_paddings_that_differ_per_axis(int strideX, int strideY, int left, int right, int top, int bottom)
        {
            // A 3x2 window (wider than tall), then a 5x1 one (a row), then 1x4 (a column): each with the given strides and padding.
            NetworkModel model = new ModelBuilder(23, 19, 3)
                .Conv(5, new Window(3, 2, strideX, strideY, left, right, top, bottom))
                .Relu()
                .Conv(16, new Window(5, 1, 1, strideY, Math.Min(left, 4), 0, 0, 0))
                .Conv(4, new Window(1, 4, strideX, 1, 0, 0, Math.Min(top, 3), bottom))
                .Fc(7)
                .Build();
            AssertRunsLikeTheReference(model);
        }

        [Theory]
        [InlineData(2, 3, 2, 1, 1, 0, 0, 1)]
        [InlineData(3, 2, 1, 2, 0, 2, 1, 0)]
        [InlineData(1, 3, 1, 3, 0, 0, 2, 0)]
        public void Pools_with_windows_strides_and_paddings_that_differ_per_axis(int sizeX, int sizeY, int strideX, int strideY, int left, int right, int top, int bottom)
        {
            NetworkModel model = new ModelBuilder(37, 21, 4)
                .Pool(new Window(sizeX, sizeY, strideX, strideY, left, right, top, bottom))
                .Build();
            AssertRunsLikeTheReference(model);
        }

        [Fact]
        public void A_stride_larger_than_the_window_reads_only_the_phases_its_taps_need()
        {
            // A 1x1 stride-2 conv (ResNet's projection shortcut) and a 2x2 stride-3 one: fewer phases than S x S.
            NetworkModel model = new ModelBuilder(16, 16, 8).Conv(16, new Window(1, 1, 2, 2, 0, 0, 0, 0)).Conv(3, new Window(2, 2, 3, 3, 1, 1, 1, 1)).Build();
            NetworkPlan plan = NetworkPlanner.Plan(model);
            var first = (ConvPositionsPlan)plan.Layers[0].Vector!;
            Assert.Equal((1, 1), (first.Phases.PhasesX, first.Phases.PhasesY));
            var second = (ConvPositionsPlan)plan.Layers[1].Vector!;
            Assert.Equal((2, 2), (second.Phases.PhasesX, second.Phases.PhasesY));
            AssertRunsLikeTheReference(model);
        }

        public static IEnumerable<object[]> Declarations() => new[]
        {
            new object[] { "[Input(32, 32, 3)] [Conv(6, 5)] [Relu] [MaxPool(2)] [Conv(16, 5)] [Relu] [MaxPool(2)] [FullyConnected(120)] [Relu] [FullyConnected(84)] [Relu] [FullyConnected(10)]" },
            new object[] { "[Input(14, 14, 6)] [Conv(16, 5, Name = \"Features\")] [Relu] [MaxPool(2, Padding = 1, Rounding = OutputRounding.Ceil)]" },
            new object[] { "[Input(9, 7, 2)] [Conv(3, 3, Stride = 2, Padding = 1)] [Relu] [Relu] [MaxPool(3, Stride = 3, Rounding = OutputRounding.Floor)]" },
            new object[] { "[Input(4, 4, 32)] [Conv(2, 3, Padding = 1)] [MaxPool(17, Padding = 7, Stride = 1, Rounding = OutputRounding.Ceil)] [FullyConnected(2)]" },
            new object[] { "[Input(64, 6, 2)] [Conv(4, 3, Stride = 3, Rounding = OutputRounding.Floor)] [Conv(32, 1)] [MaxPool(1)] [MaxPool(2, Stride = 1)]" },
            // Blocks of 8 filters with 16-float vectors (…Step3x8, …Step1x8 beside …Step3, …Step1), then a pipelined depthwise conv.
            new object[] { "[Input(24, 8, 8)] [Conv(8, 3, Padding = 1)] [Relu] [Conv(8, 3, Padding = 1, Groups = 8)]" },
        };

        [Theory]
        [MemberData(nameof(Declarations))]
        public void Every_member_the_emitters_declare_is_in_the_list_CNN007_checks(string declaration)
        {
            CompileResult result = TestCompiler.Compile("using CnnGen;\nnamespace App;\n" + declaration + "\npublic partial class Net { }");
            result.AssertClean();
            SyntaxTree tree = result.GeneratedTrees.Single();
            ClassDeclarationSyntax network = tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().Single(c => c.Identifier.ValueText == "Net");
            var declared = new List<string>();
            foreach (MemberDeclarationSyntax member in network.Members)
            {
                switch (member)
                {
                    case MethodDeclarationSyntax method:
                        declared.Add(method.Identifier.ValueText);
                        break;
                    case PropertyDeclarationSyntax property:
                        declared.Add(property.Identifier.ValueText);
                        break;
                    case FieldDeclarationSyntax field:
                        declared.AddRange(field.Declaration.Variables.Select(v => v.Identifier.ValueText));
                        break;
                    case ConstructorDeclarationSyntax:
                        break;
                    default:
                        throw new Xunit.Sdk.XunitException("unexpected member kind " + member.Kind());
                }
            }

            var allowed = new HashSet<string>(GeneratedNames.Fixed);
            var counts = new Dictionary<string, int>();
            foreach (Match layer in System.Text.RegularExpressions.Regex.Matches(declaration, @"\[(Conv|MaxPool|FullyConnected|Relu)\(([^\]]*)\)?\]").Cast<System.Text.RegularExpressions.Match>().Select(m => new Match(m.Groups[1].Value, m.Groups[2].Value)))
            {
                LayerKind kind = layer.Kind switch { "Conv" => LayerKind.Conv, "MaxPool" => LayerKind.MaxPool, "FullyConnected" => LayerKind.FullyConnected, _ => LayerKind.Relu };
                counts[layer.Kind] = counts.TryGetValue(layer.Kind, out int c) ? c + 1 : 1;
                var named = System.Text.RegularExpressions.Regex.Match(layer.Arguments, "Name = \"([^\"]+)\"");
                string name = named.Success ? named.Groups[1].Value : LayerKinds.DefaultName(kind, counts[layer.Kind]);
                allowed.UnionWith(GeneratedNames.MembersOf(kind, name));
            }

            Assert.NotEmpty(declared);
            Assert.All(declared, name => Assert.Contains(name, allowed));
        }

        private readonly record struct Match(string Kind, string Arguments);
    }
}
