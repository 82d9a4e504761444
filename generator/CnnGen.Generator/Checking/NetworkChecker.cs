using System.Collections.Generic;
using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Shapes;

namespace CnnGen.Generator.Checking
{
    /// <summary>The outcome of checking a network: the model when every shape is known and nothing is wrong, and every problem.</summary>
    internal sealed record CheckResult(NetworkModel? Model, EquatableArray<Problem> Problems);

    /// <summary>
    /// Infers every shape of a network and finds every problem, from plain values (no Roslyn), so the analyzer and
    /// the generator agree and the rules can be tested directly. With <c>analyze</c> off (the generator), it only
    /// decides whether the network is valid: no fix search, and messages are not needed.
    /// </summary>
    internal static class NetworkChecker
    {
        public static CheckResult Check(NetworkSpec spec, bool analyze, CancellationToken cancellationToken)
        {
            var problems = new List<Problem>();
            LayerName[] names = LayerNaming.Assign(spec, problems);

            int before = problems.Count;
            RangeRules.CheckInput(spec.Input, problems);
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                RangeRules.Check(GraphLayers.Label(spec.Layers, names, i), i, spec.Layers[i], problems);
            }

            bool rangesOk = problems.Count == before;
            var layers = new List<LayerModel>(spec.Layers.Count);
            if (rangesOk)
            {
                var networkInput = new Volume(spec.Input.Width, spec.Input.Height, spec.Input.Depth);
                RoundingMode network = spec.Input.Rounding == (int)RoundingMode.Floor ? RoundingMode.Floor : RoundingMode.Exact;
                long parameters = 0;
                bool guessed = false;
                FixSearch? fixes = analyze ? new FixSearch(spec) : null;
                Volume VolumeOf(int source) => source < 0 ? networkInput : layers[source].Output;
                for (int i = 0; i < spec.Layers.Count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int mark = problems.Count;
                    int[]? sources = GraphLayers.Sources(spec.Layers, names, i, problems);
                    if (sources is null)
                    {
                        // The layer's input is unknown, so is everything after it: stop here.
                        break;
                    }

                    GraphLayers.CheckShapes(spec.Layers, names, i, sources, VolumeOf, problems);
                    LayerModel? layer = Infer(spec.Layers[i], i, names[i], VolumeOf(sources[0]), network, ref parameters, problems, fixes, out bool floored);
                    if (guessed)
                    {
                        // After a CNN001 the input is the floored guess: report only what does not depend on the spatial
                        // size being right (other non-integral outputs, depths, groups), not a window that "does not fit".
                        for (int k = problems.Count - 1; k >= mark; k--)
                        {
                            if (problems[k].Id is DiagnosticIds.LayerDoesNotFit or DiagnosticIds.ValueOutOfRange or DiagnosticIds.ShapesDiffer)
                            {
                                problems.RemoveAt(k);
                            }
                        }
                    }

                    if (layer is null)
                    {
                        // Later layers would be checked against an unknown shape: stop here.
                        break;
                    }

                    if (spec.Layers[i].Kind == LayerKind.Concat)
                    {
                        long depth = 0;
                        foreach (int source in sources)
                        {
                            depth += VolumeOf(source).Depth;
                        }

                        Volume first = VolumeOf(sources[0]);
                        long length = Sizes.Mul(Sizes.Mul(first.Width, first.Height), depth);
                        if (length > int.MaxValue)
                        {
                            problems.Add(Sizes.TooLarge(GraphLayers.Label(spec.Layers, names, i), i, "output volume " + Text.Shape(first.Width, first.Height, depth), length));
                            break;
                        }

                        layer = layer with { Output = new Volume(first.Width, first.Height, (int)depth) };
                    }

                    guessed |= floored;
                    layers.Add(layer with { Sources = EquatableArray.From(sources) });
                }

                if (problems.Count == 0)
                {
                    var model = new NetworkModel(
                        spec.Class,
                        networkInput,
                        EquatableArray.From(layers),
                        (int)parameters);
                    return new CheckResult(model, default);
                }
            }

            return new CheckResult(null, EquatableArray.From(problems));
        }

        private static LayerModel? Infer(LayerSpec spec, int index, LayerName name, Volume input, RoundingMode network, ref long parameters, List<Problem> problems, FixSearch? fixes, out bool floored)
        {
            floored = false;
            bool bias = spec.Int("Bias", 1) != 0;
            switch (spec.Kind)
            {
                case LayerKind.GlobalAvgPool:
                case LayerKind.GlobalMaxPool:
                    return new LayerModel(spec.Kind, index, name.Name, name.Identifier, input, new Volume(1, 1, input.Depth), null, RoundingMode.Exact, default, default);

                case LayerKind.BatchNorm:
                {
                    // weight, bias, running_mean, running_var: [D] each, in that (state_dict) order.
                    int depth = input.Depth;
                    if (!AddParameters(name.Name, index, depth, depth, ref parameters, problems, out Slice weight, out Slice biasSlice) ||
                        !AddParameters(name.Name, index, depth, depth, ref parameters, problems, out Slice mean, out Slice variance))
                    {
                        return null;
                    }

                    float epsilon = spec.Find("Epsilon") is { } e ? (float)e.Number : 1e-5f;
                    return new LayerModel(LayerKind.BatchNorm, index, name.Name, name.Identifier, input, input, null, RoundingMode.Exact, weight, biasSlice, Key: name.Key, Value: epsilon, Mean: mean, Variance: variance);
                }

                case LayerKind.Relu:
                case LayerKind.Relu6:
                case LayerKind.LeakyRelu:
                case LayerKind.Sigmoid:
                case LayerKind.Tanh:
                case LayerKind.HardSwish:
                case LayerKind.Silu:
                case LayerKind.Softmax:
                case LayerKind.Add:
                case LayerKind.Concat:
                {
                    // The shape passes through (a Concat's depth is summed by the caller, which knows every operand).
                    float slope = spec.Kind == LayerKind.LeakyRelu ? (spec.Find("Slope") is { } s ? (float)s.Number : 0.01f) : 0f;
                    string given = name.Explicit ? name.Name : string.Empty;
                    return new LayerModel(spec.Kind, index, given, name.Explicit ? name.Identifier : string.Empty, input, input, null, RoundingMode.Exact, default, default, Value: slope);
                }

                case LayerKind.FullyConnected:
                {
                    int outputs = spec.Argument(0);
                    long weights = Sizes.Mul(input.Length, outputs);
                    if (weights > int.MaxValue)
                    {
                        problems.Add(Sizes.TooLarge(name.Name, index, "weight " + Text.Literal(outputs) + "x" + Text.Literal(input.Length), weights));
                        return null;
                    }

                    if (!AddParameters(name.Name, index, weights, bias ? outputs : 0, ref parameters, problems, out Slice weight, out Slice biasSlice))
                    {
                        return null;
                    }

                    return new LayerModel(LayerKind.FullyConnected, index, name.Name, name.Identifier, input, new Volume(1, 1, outputs), null, RoundingMode.Exact, weight, biasSlice, Key: name.Key);
                }

                default:
                    WindowShape? shape = WindowLayers.Infer(spec, index, name.Name, input, network, problems, fixes, out floored);
                    if (shape is null)
                    {
                        return null;
                    }

                    Slice w = default, b = default;
                    int groups = 1;
                    if (spec.Kind == LayerKind.Conv)
                    {
                        Window window = shape.Window;
                        groups = spec.Int("Groups", 1);
                        long count = Sizes.Mul(Sizes.Mul(Sizes.Mul(shape.Output.Depth, input.Depth / groups), window.SizeY), window.SizeX);
                        if (count > int.MaxValue)
                        {
                            problems.Add(Sizes.TooLarge(name.Name, index, "weight " + shape.Output.Depth + "x" + (input.Depth / groups) + "x" + window.SizeY + "x" + window.SizeX, count));
                            return null;
                        }

                        if (!AddParameters(name.Name, index, count, bias ? shape.Output.Depth : 0, ref parameters, problems, out w, out b))
                        {
                            return null;
                        }
                    }

                    return new LayerModel(spec.Kind, index, name.Name, name.Identifier, input, shape.Output, shape.Window, shape.Rounding, w, b, groups, name.Key, spec.Int("CountIncludePadding", 1) != 0);
            }
        }

        private static bool AddParameters(string name, int layer, long weights, int biases, ref long parameters, List<Problem> problems, out Slice weight, out Slice bias)
        {
            long total = parameters + weights + biases;
            if (total > int.MaxValue)
            {
                problems.Add(Sizes.TooLarge(name, layer, "parameter total up to this layer", total));
                weight = bias = default;
                return false;
            }

            weight = new Slice((int)parameters, (int)weights);
            bias = new Slice((int)(parameters + weights), biases);
            parameters = total;
            return true;
        }
    }
}
