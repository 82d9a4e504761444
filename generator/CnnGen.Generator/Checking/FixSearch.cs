using System;
using System.Collections.Generic;
using CnnGen.Generator.Model;
using CnnGen.Shapes;

namespace CnnGen.Generator.Checking
{
    /// <summary>
    /// The analyzer's search for values that would fit (CNN001, CNN002, CNN004): each candidate must fit its layer
    /// and then leave the whole network free of shape errors (<see cref="NetworkChecker.ShapesCleanWith"/>), so a
    /// fix never trades one error for another further down. The generator never runs this.
    /// </summary>
    internal sealed class FixSearch
    {
        /// <summary>How far a search walks from the written value.</summary>
        private const int SearchLimit = 4096;

        /// <summary>How many candidates that fit the layer are checked against the whole network, per direction.</summary>
        private const int NetworkChecks = 16;

        private readonly NetworkSpec _spec;

        public FixSearch(NetworkSpec spec) => _spec = spec;

        public EquatableArray<Fix> DepthFixes(int index, int depth)
        {
            LayerSpec layer = _spec.Layers[index];
            var fixes = new List<Fix>();
            if (Clean(index, layer.With("Depth", depth)))
            {
                fixes.Add(new Fix("Depth", Text.Literal(depth), string.Empty));
            }

            if (Clean(index, layer.With("Depth", null)))
            {
                fixes.Add(new Fix("Depth", null, string.Empty));
            }

            return EquatableArray.From(fixes);
        }

        /// <summary>CNN002: the largest size that fits, and the smallest padding that fits.</summary>
        public (IReadOnlyList<string> Options, EquatableArray<Fix> Fixes) DoesNotFit(int index, Window window, Volume input, int outDepth, RoundingMode rounding)
        {
            LayerSpec layer = _spec.Layers[index];
            int sizeArgument = layer.Kind == LayerKind.Conv ? 1 : 0;
            int size = window.SizeX, stride = window.StrideX, padding = window.PadLeft;
            var options = new List<string>();
            var fixes = new List<Fix>();

            int checks = 0;
            for (long f = Math.Min(size - 1L, Math.Min(input.Width, input.Height) + (2L * padding)); f >= 1 && f > size - SearchLimit && checks < NetworkChecks; f--)
            {
                Window candidate = Window.Square((int)f, stride, padding);
                if (WindowLayers.Fits(layer.Kind, candidate, input, rounding) && Verified(index, layer.WithArgument(sizeArgument, (int)f), ref checks))
                {
                    options.Add("Size = " + f);
                    fixes.Add(new Fix("Size", Text.Literal(f), WindowLayers.OutputText(candidate, input, outDepth, rounding)));
                    break;
                }
            }

            checks = 0;
            for (long p = padding + 1L; p < size && p < padding + (long)SearchLimit && checks < NetworkChecks; p++)
            {
                Window candidate = Window.Square(size, stride, (int)p);
                if (WindowLayers.Fits(layer.Kind, candidate, input, rounding) && Verified(index, layer.With("Padding", (int)p), ref checks))
                {
                    options.Add("Padding = " + p);
                    fixes.Add(new Fix("Padding", Text.Literal(p), WindowLayers.OutputText(candidate, input, outDepth, rounding)));
                    break;
                }
            }

            return (options, EquatableArray.From(fixes));
        }

        /// <summary>CNN001: the nearest stride below and above, the nearest padding, and the roundings that fit.</summary>
        public (IReadOnlyList<string> Options, EquatableArray<Fix> Fixes) NotExact(int index, Window window, Volume input, int outDepth)
        {
            LayerSpec layer = _spec.Layers[index];
            LayerKind kind = layer.Kind;
            int size = window.SizeX, stride = window.StrideX, padding = window.PadLeft;
            var options = new List<string>();
            var fixes = new List<Fix>();

            var strides = new List<long>();
            int checks = 0;
            for (long s = stride - 1L; s >= 1 && s > stride - (long)SearchLimit && checks < NetworkChecks; s--)
            {
                if (WindowLayers.Fits(kind, Window.Square(size, (int)s, padding), input, RoundingMode.Exact) && Verified(index, layer.With("Stride", (int)s), ref checks))
                {
                    strides.Add(s);
                    break;
                }
            }

            long largestSpan = Math.Max(ShapeMath.Span(input.Width, size, padding), ShapeMath.Span(input.Height, size, padding));
            checks = 0;
            for (long s = stride + 1L; s <= largestSpan && s < stride + (long)SearchLimit && checks < NetworkChecks; s++)
            {
                if (WindowLayers.Fits(kind, Window.Square(size, (int)s, padding), input, RoundingMode.Exact) && Verified(index, layer.With("Stride", (int)s), ref checks))
                {
                    strides.Add(s);
                    break;
                }
            }

            if (strides.Count > 0)
            {
                options.Add("Stride = " + Text.Or(strides.ConvertAll(Text.Literal)));
                foreach (long s in strides)
                {
                    fixes.Add(new Fix("Stride", Text.Literal(s), WindowLayers.OutputText(Window.Square(size, (int)s, padding), input, outDepth, RoundingMode.Exact)));
                }
            }

            // The nearest padding that fits, nearer ones first (the lower of two at the same distance).
            checks = 0;
            long limit = Math.Min(size - 1L, padding + (long)SearchLimit);
            for (long distance = 1; distance <= Math.Max(limit - padding, padding) && checks < NetworkChecks; distance++)
            {
                long found = -1;
                foreach (long p in new[] { padding - distance, padding + distance })
                {
                    if (p >= 0 && p <= limit && WindowLayers.Fits(kind, Window.Square(size, stride, (int)p), input, RoundingMode.Exact) &&
                        Verified(index, layer.With("Padding", (int)p), ref checks))
                    {
                        found = p;
                        break;
                    }
                }

                if (found >= 0)
                {
                    options.Add("Padding = " + found);
                    fixes.Add(new Fix("Padding", Text.Literal(found), WindowLayers.OutputText(Window.Square(size, stride, (int)found), input, outDepth, RoundingMode.Exact)));
                    break;
                }
            }

            var roundings = new List<string>();
            foreach (RoundingMode rounding in kind == LayerKind.MaxPool ? new[] { RoundingMode.Floor, RoundingMode.Ceil } : new[] { RoundingMode.Floor })
            {
                if (Clean(index, layer.With("Rounding", (int)rounding)))
                {
                    roundings.Add(rounding.ToString());
                    fixes.Add(new Fix("Rounding", "OutputRounding." + rounding, WindowLayers.OutputText(window, input, outDepth, rounding)));
                }
            }

            if (roundings.Count > 0)
            {
                options.Add("Rounding = " + Text.Or(roundings));
            }

            return (options, EquatableArray.From(fixes));
        }

        private bool Verified(int index, LayerSpec candidate, ref int checks)
        {
            checks++;
            return Clean(index, candidate);
        }

        private bool Clean(int index, LayerSpec candidate) => NetworkChecker.ShapesCleanWith(_spec, index, candidate);
    }
}
