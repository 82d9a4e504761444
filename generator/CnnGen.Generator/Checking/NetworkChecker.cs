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
                RangeRules.Check(names[i].Name, i, spec.Layers[i], problems);
            }

            bool rangesOk = problems.Count == before;
            var layers = new List<LayerModel>(spec.Layers.Count);
            if (rangesOk)
            {
                var input = new Volume(spec.Input.Width, spec.Input.Height, spec.Input.Depth);
                long parameters = 0;
                FixSearch? fixes = analyze ? new FixSearch(spec) : null;
                for (int i = 0; i < spec.Layers.Count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    LayerModel? layer = Infer(spec.Layers[i], i, names[i], input, ref parameters, problems, fixes);
                    if (layer is null)
                    {
                        // Later layers would be checked against a guessed shape: stop here.
                        break;
                    }

                    layers.Add(layer);
                    input = layer.Output;
                }

                if (problems.Count == 0)
                {
                    var model = new NetworkModel(
                        spec.Class,
                        new Volume(spec.Input.Width, spec.Input.Height, spec.Input.Depth),
                        EquatableArray.From(layers),
                        (int)parameters);
                    return new CheckResult(model, default);
                }
            }

            return new CheckResult(null, EquatableArray.From(problems));
        }

        /// <summary>
        /// Whether the network, with layer <paramref name="index"/> replaced by <paramref name="replacement"/>, has no
        /// shape or range problem: the test a code fix passes before it is offered, so a fix never trades one error
        /// for another further down.
        /// </summary>
        public static bool ShapesCleanWith(NetworkSpec spec, int index, LayerSpec replacement)
        {
            var layers = new LayerSpec[spec.Layers.Count];
            for (int i = 0; i < layers.Length; i++)
            {
                layers[i] = i == index ? replacement : spec.Layers[i];
            }

            CheckResult result = Check(spec with { Layers = new EquatableArray<LayerSpec>(layers) }, analyze: false, CancellationToken.None);
            foreach (Problem problem in result.Problems)
            {
                if (problem.Id is DiagnosticIds.OutputNotInteger or DiagnosticIds.LayerDoesNotFit or DiagnosticIds.ValueOutOfRange or DiagnosticIds.DepthMismatch)
                {
                    return false;
                }
            }

            return true;
        }

        private static LayerModel? Infer(LayerSpec spec, int index, LayerName name, Volume input, ref long parameters, List<Problem> problems, FixSearch? fixes)
        {
            switch (spec.Kind)
            {
                case LayerKind.Relu:
                    return new LayerModel(LayerKind.Relu, index, string.Empty, string.Empty, input, input, null, RoundingMode.Exact, default, default);

                case LayerKind.FullyConnected:
                {
                    int outputs = spec.Argument(0);
                    long weights = Sizes.Mul(input.Length, outputs);
                    if (weights > int.MaxValue)
                    {
                        problems.Add(Sizes.TooLarge(name.Name, index, "weight " + Text.Literal(outputs) + "x" + Text.Literal(input.Length), weights));
                        return null;
                    }

                    if (!AddParameters(name.Name, index, weights, outputs, ref parameters, problems, out Slice weight, out Slice bias))
                    {
                        return null;
                    }

                    return new LayerModel(LayerKind.FullyConnected, index, name.Name, name.Identifier, input, new Volume(1, 1, outputs), null, RoundingMode.Exact, weight, bias);
                }

                default:
                    WindowShape? shape = WindowLayers.Infer(spec, index, name.Name, input, problems, fixes);
                    if (shape is null)
                    {
                        return null;
                    }

                    Slice w = default, b = default;
                    if (spec.Kind == LayerKind.Conv)
                    {
                        Window window = shape.Window;
                        long count = Sizes.Mul(Sizes.Mul(Sizes.Mul(shape.Output.Depth, input.Depth), window.SizeY), window.SizeX);
                        if (count > int.MaxValue)
                        {
                            problems.Add(Sizes.TooLarge(name.Name, index, "weight " + shape.Output.Depth + "x" + input.Depth + "x" + window.SizeY + "x" + window.SizeX, count));
                            return null;
                        }

                        if (!AddParameters(name.Name, index, count, shape.Output.Depth, ref parameters, problems, out w, out b))
                        {
                            return null;
                        }
                    }

                    return new LayerModel(spec.Kind, index, name.Name, name.Identifier, input, shape.Output, shape.Window, shape.Rounding, w, b);
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
