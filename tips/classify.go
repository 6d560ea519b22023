package tips

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// lexicon lists, per category, folded phrases (lower case, no accents) in
// Spanish, Portuguese, English and French, with the region's slang, and
// how strongly each points to the category. A phrase ending in "*" is a
// stem: it matches every word that starts with it.
var lexicon = map[Category]map[string]float64{
	Extortion: {
		"cobr*": 1.5, "piso": 2, "cuota*": 2, "rentas": 2.5, "extorsi*": 3, "chantaj*": 2.5, "amenazan con": 1.5, "pagar o": 2, "pagarles": 2.5, "les pagan": 2.5, "pagan a": 1.5,
		"comerciantes": 1.5, "negocios": 1, "tenderos": 1.5, "transportistas": 1.5, "choferes": 1, "taxistas": 1, "mototaxistas": 1.5, "comercios": 1, "vendedores": 1,
		"milicia": 2, "milicianos": 2.5, "pix": 1, "deposit*": 1.5, "transfer*": 1, "resgate": 2, "rescate": 2, "secuestro virtual": 3, "falso secuestro": 3, "golpe do falso sequestro": 3,
		"blackmail*": 3, "racketeer*": 3, "extortionists": 3, "demand* money": 2.5, "shopkeepers": 1.5, "merchants": 1.5, "vendors": 1.5, "rancon*": 2.5, "chantage": 3, "rackett*": 3, "commercants": 1.5,
		"extors*": 3, "extorq*": 3, "extorting": 3, "shak* down": 3, "shaken down": 3, "su parte": 2, "darle su parte": 3, "cobro": 2, "cobrarles": 2, "cuota semanal": 3,
		"ponerse al corriente": 2.5, "deposite": 2, "depositar": 2, "depositen": 2, "le hacen algo a mi familia": 3, "tienen vigilado": 2, "wire money": 2.5,
		"cartel": 1, "payer": 1.5, "paie": 1.5, "payent": 1.5, "taxe": 2, "taxa": 2, "cotisation": 2.5, "droit de passage": 3, "protection": 2, "une partie de leur": 2,
		"caixinha": 3, "seguranca": 1.5, "pagam": 1.5, "pagando": 1.5, "deposito": 1.5, "sao do comando": 2, "fee": 2, "weekly fee": 3, "permit fee": 3, "a cut of": 3, "pay a cut": 3,
		"control the area": 2, "la renta": 3, "pay": 1, "paying": 1.5, "charging": 1.5, "collect": 1.5, "voltean el puesto": 2, "brulent": 1, "cobro de piso": 3, "derecho de piso": 3, "cobran piso": 3, "pagar piso": 3, "cuota": 2, "cuotas": 2,
		"renta": 1.5, "vacuna": 2, "vacunas": 2, "extorsion": 3, "extorsionan": 3, "extorsionando": 3, "extorsionador": 3,
		"extorsiones": 3, "extorsionadores": 3, "cobran": 1.5, "cobrando": 1.5, "cobrar": 1, "pagar para trabajar": 3, "para dejarlos trabajar": 3,
		"taxa de protecao": 3, "pedagio": 2, "cobram": 1.5, "cobrando taxa": 3, "extorsao": 3, "extorquindo": 3,
		"protection money": 3, "extortion": 3, "extort": 3, "racket": 2.5, "pay up": 2, "shakedown": 3,
		"racket de": 3, "racketteurs": 3, "rackettent": 3, "rancon": 2, "payer pour": 1.5, "amenazan si no pagan": 3, "si no pagan": 2.5, "si no paga": 2.5, "se nao pagar": 2.5, "if they don't pay": 2.5, "s'ils ne paient pas": 2.5,
	},
	Drugs: {
		"droga*": 2.5, "drog*": 2, "vend* droga": 3, "cocain*": 2.5, "crack": 2.5, "metanfet*": 3, "anfetamina*": 2.5, "heroin*": 2.5, "fentan*": 3, "marihuan*": 2.5, "maconh*": 2.5,
		"cannab*": 2.5, "hierba": 1, "grapas": 2.5, "dosis": 2, "papeletas": 2.5, "bolsitas": 2.5, "trafico": 1.5, "trafica*": 2.5, "narco": 2, "narcos": 2, "punto de droga": 3,
		"tienditas": 3, "narcotienda*": 3, "boca": 1, "biqueira*": 3, "avioes": 2, "olheiros": 2, "trap": 2, "dope": 2.5, "pills": 2, "oxy": 2.5, "deal*": 2, "pusher*": 3, "dealer*": 3,
		"came": 1.5, "beuh": 2.5, "shit": 1.5, "coke": 2.5, "weed": 2, "four": 0.5, "guetteur*": 2.5, "trafic de drogue": 3, "plan stup": 3, "stup*": 3, "ecstasy": 2.5, "mdma": 2.5,
		"hielo": 2, "pastillas": 2.5, "tusi": 3, "cocina": 2, "quimicos": 2, "vapor": 2, "gerente": 1, "trafico no": 2.5, "lanca": 3, "bala": 1, "baile": 1,
		"lookouts": 2, "lookout": 2, "trap house": 3, "slinging": 3, "ice": 1.5, "blues": 1.5, "crystal": 2.5, "charbonne": 3, "ballots": 2.5, "debarque": 1.5, "clients": 1,
		"narco*": 2, "vende*": 1, "venden": 1.5, "selling": 1, "sells": 1, "vendendo": 1.5, "dealing": 2.5, "deale*": 2.5, "trafiquants": 2, "traficante*": 2.5,
		"narcomenudeo": 3, "narcomenudistas": 3, "venden droga": 3, "venta de droga": 3, "droga": 2, "drogas": 2, "cristal": 2, "piedra": 1.5,
		"mota": 2, "perico": 2, "coca": 1.5, "cocaina": 2.5, "metanfetamina": 3, "tiradores": 2.5, "tirador": 2, "punto de venta": 2.5, "tiendita": 2,
		"laboratorio": 2, "fentanilo": 3, "marihuana": 2.5, "heroina": 2.5, "narcotienda": 3, "dealer": 2,
		"boca de fumo": 3, "biqueira": 3, "po": 1, "maconha": 2.5, "trafico de drogas": 3, "traficantes": 2, "drug": 2.5, "drugs": 2.5, "meth": 3, "stash house": 3, "fentanyl": 3, "cocaine": 2.5, "point de deal": 3, "deal": 1.5, "dealers": 2, "stupefiants": 3, "drogue": 2.5, "chouf": 2.5, "guetteurs": 2, "cannabis": 2.5,
		"halcones": 0.7,
	},
	Weapons: {
		"arma*": 2.5, "armad*": 1, "pistol*": 2.5, "revolv*": 2.5, "fusil*": 2.5, "rifle*": 2.5, "escopet*": 2.5, "metralhad*": 3, "metrallet*": 3, "ametralladora*": 3, "calibre": 2.5,
		"cargador*": 2, "cartuch*": 2, "municao": 2.5, "muni*": 2, "explosiv*": 3, "granad*": 3, "dinamita": 3, "bodega de armas": 3, "guns": 3, "gun": 2.5, "handgun*": 3, "shotgun*": 3,
		"ammo": 3, "firearm*": 3, "armory": 2.5, "choppers": 2.5, "ak": 2, "ar15": 3, "kalach*": 3, "arme*": 3, "pistolet*": 3, "cartouche*": 2.5, "explosifs": 3, "fierros": 3, "cuerno*": 2,
		"escuadras": 3, "armados": 1, "armas": 3, "arsenal": 3, "munic*": 2.5, "armes": 3, "armurerie": 2,
		"cuerno de chivo": 3, "cuernos de chivo": 3, "arma": 2, "armas largas": 3, "pistolas": 2.5, "pistola": 2, "rifles": 2.5,
		"ak 47": 3, "ak47": 3, "r15": 3, "ar 15": 3, "granadas": 3, "municiones": 2.5, "balas": 1.5, "trafico de armas": 3, "venden armas": 3,
		"fuzil": 3, "fuzis": 3, "armamento": 2.5, "paiol": 3, "revolver": 2,
		"weapons": 3, "weapon": 2.5, "rifle": 2.5, "ammunition": 2.5, "firearms": 3, "cache": 1.5,
		"kalachnikov": 3, "kalash": 3, "trafic d'armes": 3, "fusil": 2.5, "munitions": 2.5, "pistolet": 2.5,
	},
	Trafficking: {
		"trata": 3, "trafico de personas": 3, "tratantes": 3, "explotac*": 2.5, "explota*": 2.5, "esclav*": 3, "trabajo forzado": 3, "forzad*": 2, "obligad*": 2, "obligan": 2,
		"encerrad*": 2, "retenid*": 2, "migrant*": 2, "indocumentad*": 2.5, "coyot*": 2.5, "poller*": 2.5, "menores de edad": 2, "prostituc*": 2.5, "prostitu*": 2.5, "proxenet*": 3,
		"explorac*": 2.5, "escrav*": 3, "aliciad*": 3, "trafficked": 3, "traffick*": 3, "forced": 2, "enslav*": 3, "held captive": 3, "passport*": 2.5, "underage": 2.5, "pimp*": 3,
		"traite": 3, "esclavage": 3, "passeur*": 2.5, "sequestres": 2, "exploit*": 2.5, "domestiques": 2,
		"pasaporte": 2.5, "passeport": 2.5, "les quitaron los papeles": 3, "quitaron los papeles": 3, "no puede salir": 2.5, "can't leave": 3, "cant leave": 3, "no pueden irse": 3,
		"obligan a prostituirse": 3, "migrants": 2, "holding migrants": 3, "smuggler": 2.5, "forces de vendre": 3, "sont forces": 2.5, "reseau": 1.5,
		"ninas": 2, "pagan por estar con": 3, "sin paga": 3, "trancados": 3, "16 horas": 2, "debt": 2, "owe a": 2, "nightclub": 1.5, "enamoro": 1.5, "la tiene trabajando": 3,
		"trabajar de meseras": 3, "anuncio de trabajo": 2, "empleo": 1, "escravo": 3, "aliciado*": 3, "recrutam": 2.5, "promet*": 1.5, "trata de personas": 3, "enganchadores": 3, "enganchan": 2.5, "migrantes": 2, "migrante": 2, "polleros": 3, "pollero": 3,
		"coyotes": 2.5, "coyote": 2, "explotacion sexual": 3, "explotan": 2, "prostituir": 2.5, "obligan a trabajar": 3, "casa de seguridad": 1.5,
		"retenidos": 1.5, "secuestrados migrantes": 3, "menores": 1, "esclavitud": 3,
		"trafico de pessoas": 3, "exploracao sexual": 3, "trabalho escravo": 3, "aliciadores": 3, "prostituicao": 2.5, "escravidao": 3,
		"human trafficking": 3, "trafficking": 2.5, "forced labor": 3, "forced labour": 3, "smuggling": 2.5, "smugglers": 2.5, "sex trafficking": 3,
		"traite des etres humains": 3, "proxenetisme": 3, "exploitation": 2.5, "passeurs": 2.5, "travail force": 3,
	},
	Violence: {
		"balacer*": 3, "bala*": 1.5, "dispar*": 2.5, "tiro*": 2, "balead*": 3, "asesin*": 3, "homicid*": 3, "mat*": 1, "muert*": 2, "cadaver*": 2.5, "cuerpo": 1.5, "cuerpos": 2,
		"levant*": 2.5, "secuestr*": 2.5, "golpiz*": 2.5, "tortur*": 3, "amenaz*": 2, "intimid*": 2, "sicari*": 3, "pistoler*": 2.5, "quemar*": 2, "incendi*": 2, "desplaz*": 2,
		"tiroteio*": 3, "assassin*": 3, "morte*": 2, "ameac*": 2, "sequestr*": 2.5, "espancad*": 2.5, "chacina*": 3, "toque de recolher": 3, "pipoco": 3, "periodista*": 1.5, "jornalista*": 1.5,
		"shooting": 3, "shot": 2.5, "gunfire": 3, "murder*": 3, "kill*": 2.5, "threat*": 2, "kidnap*": 2.5, "beat*": 1.5, "attack*": 2, "journalist*": 1.5, "reporter*": 0.5,
		"fusillade*": 3, "tir*": 1, "meurtre*": 3, "tue*": 2, "menace*": 2, "enlev*": 2.5, "tabass*": 2.5, "agress*": 2, "journaliste*": 1.5, "chauffe": 1,
		"balearon": 3, "ejecut*": 3, "mataron": 3, "matar": 2, "balacera*": 3, "tiros": 2.5, "disparar*": 2.5, "golpe*": 1.5, "menac*": 1.5,
		"shoot*": 2.5, "killed": 3, "kill": 2, "quemaron la casa": 3, "mata*": 2, "atira*": 2.5,
		"levanton": 3, "levantaron": 3, "levantan": 2.5, "balacera": 3, "balazos": 2.5, "disparos": 2.5, "ejecutado": 3, "ejecutaron": 3,
		"amenazas de muerte": 3, "amenazaron": 2, "amenaza": 1.5, "amenazas": 1.5, "sicario": 2.5, "sicarios": 2.5, "asesinaron": 3,
		"quemaron": 2.5, "desplazados": 2, "golpearon": 2, "periodista": 1.5, "secuestraron": 2.5, "secuestro": 2,
		"tiroteio": 3, "chacina": 3, "ameaca de morte": 3, "ameacas": 2, "ameacaram": 2, "mataram": 3, "baleado": 3,
		"shots": 2, "death threats": 3, "threatened": 2, "threats": 1.5, "murdered": 3, "kidnapped": 2.5, "beaten": 2,
		"journalist": 1.5, "fusillade": 3, "menaces de mort": 3, "menaces": 1.5, "menace": 1.5, "tue": 2, "tues": 2, "abattu": 3, "reglement de comptes": 3,
		"halcones": 0.8,
	},
	Corruption: {
		"corrup*": 3, "mordid*": 3, "soborn*": 3, "cohecho": 3, "moche*": 3, "coima*": 3, "lana": 1, "por fuera": 2, "pagan a la policia": 3, "policias": 1.5, "policia*": 1.5, "patrulla*": 1.5,
		"agentes": 1, "funcionari*": 2, "alcald*": 2, "diputad*": 2, "regidor*": 2, "juez": 2, "jueza": 2, "fiscal": 1, "ministerio publico": 1.5, "aduana*": 2, "penal": 1.5, "custodio*": 2,
		"votos": 2.5, "despensa*": 1.5, "colaborar con los de arriba": 3, "los de arriba": 1.5, "protegid*": 1.5, "protegen": 2, "encubr*": 2.5, "hacen la vista gorda": 3, "se hacen de la vista gorda": 3,
		"propina*": 3, "arrego": 3, "corrupc*": 3, "suborn*": 3, "acerto": 2, "agrado": 2, "delegad*": 2, "vereador*": 2, "prefeit*": 1.5, "policia militar": 1.5, "pm": 1,
		"bribe*": 3, "brib*": 3, "kickback*": 3, "payoff*": 3, "on the take": 3, "paid off": 3, "cops": 1.5, "officers": 1.5, "official*": 1.5, "mayor": 1.5, "judge": 2, "customs": 2,
		"corromp*": 3, "pot-de-vin": 3, "pots-de-vin": 3, "bakchich": 3, "faire un geste": 2.5, "fonctionnaire*": 2, "douan*": 2.5, "policier*": 1.5, "gendarme*": 1.5, "elus": 1.5, "maire": 1.5,
		"custodios": 2.5, "guard*": 1.5, "prison guard": 2.5, "agente penitenciario": 3, "si les pagas": 2.5, "protegen a": 3, "trabaja para ellos": 3, "paid to look the other way": 3,
		"look the other way": 3, "douane": 2.5, "for votes": 3, "comprando votos": 3, "lana por fuera": 3, "pide lana": 3, "delegado e pago": 3,
		"pago pela milicia": 3, "fiscais": 2, "um por fora": 3, "pega* um por fora": 3, "paye par les trafiquants": 3, "est paye par": 3, "enveloppe": 3, "juge": 2, "demandent de l'argent": 3,
		"ask for cash": 3, "to fix it here": 3, "traffic cops": 2, "refresco": 3, "para el refresco": 3, "reten": 1, "de migracion cobran": 3, "migracion": 1.5, "sobor*": 3,
		"policia de aqui": 2, "poli": 1, "delegado": 2, "comandante": 2, "commandant": 2, "councilman": 2, "fonctionnaire": 2.5, "catastro": 2,
		"mordida": 3, "moche": 3, "soborno": 3, "sobornos": 3, "corrupcion": 3, "corruptos": 3, "corrupto": 3, "policias cobran": 3,
		"policia": 1, "municipales": 1.5, "funcionario": 2, "funcionarios": 2, "agente de transito": 2, "compra de votos": 3,
		"arreglado": 2, "presidente municipal": 2, "alcalde": 1.5,
		"propina": 3, "policial corrupto": 3, "corrupcao": 3, "vereador": 2, "prefeitura": 1.5, "policiais": 1,
		"bribe": 3, "bribes": 3, "bribery": 3, "corrupt": 3, "kickbacks": 3, "kickback": 3, "police": 1, "officer": 1, "officials": 1.5,
		"corrompu": 3, "corrompus": 3, "corruption": 3, "policiers": 1, "elu": 1.5, "pot de vin": 3,
	},
	Missing: {
		"desapare*": 3, "paradero": 3, "no regreso": 3, "no ha vuelto": 3, "no volvio": 3, "no sabemos nada": 3, "sin saber de": 3, "ultima vez": 2.5, "busqueda": 2.5, "buscando a": 3,
		"ayuda para encontrar": 3, "ficha": 2, "fosa*": 2.5, "restos": 2, "osamentas": 2.5, "colectivo*": 2, "madres buscadoras": 3, "sumiu": 3, "sumid*": 3, "desaparec*": 3,
		"procura-se": 3, "nao voltou": 3, "nao deu noticia*": 3, "sem noticias": 3, "ninguem sabe": 2.5, "paradeiro": 3, "missing": 3, "disappear*": 3, "last seen": 3, "whereabouts": 3,
		"never came back": 3, "never came home": 3, "no news": 2.5, "has not been seen": 3, "hasn't been seen": 3, "search for": 2, "disparu*": 3, "disparition*": 3, "introuvable": 3,
		"sans nouvelles": 3, "pas de nouvelles": 3, "derniere fois": 2.5, "recherche*": 1.5, "retrouv*": 2,
		"no lo vemos": 3, "nunca llego": 3, "ultima ubicacion": 3, "su cel esta apagado": 3, "cel esta apagado": 3, "ya no contesta": 3, "no contesta": 2, "busco a mi": 3, "buscamos a": 3, "enterrados": 2.5, "se llevaron": 2, "no da noticia": 3, "nao da noticia": 3, "ninguem sabe dele": 3, "ninguem sabe dela": 3, "barco voltou vazio": 3,
		"ja faz": 1, "plus de nouvelles": 3, "on ne sait toujours pas ou": 3, "retrouver": 2.5, "proches disparus": 3, "fosse": 2, "hasn't been heard from": 3, "been heard from": 3,
		"phone has been off": 3, "goes straight to voicemail": 3, "looking for my": 3, "clandestine graves": 3, "graves": 2, "remains": 2, "sumi*": 2.5, "desaparecido": 3, "desaparecida": 3, "desaparecidos": 3, "desaparecidas": 3, "no aparece": 3, "no ha regresado": 3, "vista por ultima vez": 3,
		"visto por ultima vez": 3, "ficha de busqueda": 3, "colectivo de busqueda": 3, "buscadoras": 3, "fosa": 2, "fosas": 2, "sumida": 3, "sumido": 3, "desaparecimento": 3, "vista pela ultima vez": 3,
		"disappeared": 3, "hasn't come home": 3, "has not come home": 3,
		"disparu": 3, "disparue": 3, "disparition": 3, "vue pour la derniere fois": 3, "vu pour la derniere fois": 3, "pas rentre": 2.5, "pas rentree": 2.5,
	},
}

// Classify suggests a category for a tip and a confidence between 0 and 1.
// It weighs lexicon phrases found in the folded text plus a naive Bayes
// model learned from the labelled tips; with too little evidence it says
// Other with confidence 0. The reporter's choice always wins over it.
func Classify(text string) (Category, float64) {
	folded := Fold(text) // once: folding is most of the work
	if strings.Contains(folded, "traite") {
		// French "traité" (treated, a treaty) folds to "traite"
		// (trafficking): told apart while its accent is there. Rare: the
		// text is folded again only then.
		folded = Fold(treated.Replace(norm.NFC.String(strings.ToLower(text))))
	}
	words := classifyWords(folded)
	for i := 1; i < len(words); i++ {
		if words[i] == "trata" && words[i-1] == "se" {
			words[i] = "" // Spanish "se trata de" (it is about), not "trata" (trafficking)
		}
	}
	scores := lexiconScores(words)
	var best Category = Other
	var bestScore, total float64
	post := model.posteriorsFolded(folded)
	for i, cat := range Categories {
		// The learned model adds up to 3 points, as much as one strong phrase.
		score := 3 * post[i]
		if cat == Other {
			score = 0
		}
		score += scores[i]
		total += score
		if score > bestScore {
			best, bestScore = cat, score
		}
	}
	if bestScore < 2 {
		return Other, 0
	}
	return best, bestScore / total
}

// treated writes French "traité" (treated, a treaty; "traitée",
// "traités"…), lower case, as a word no lexicon phrase holds, before it
// is folded to "traite", trafficking's word.
var treated = strings.NewReplacer("traité", "traitee")

// classifyWords splits folded text into the words lexicon phrases are made of:
// runs of anything but ASCII other than letters, digits, "'" and "-" (every
// byte of a character beyond ASCII is part of a word, as the character is).
func classifyWords(folded string) []string {
	n, in := 0, false
	for i := 0; i < len(folded); i++ {
		w := !classifySeparator[folded[i]]
		if w && !in {
			n++
		}
		in = w
	}
	words := make([]string, 0, n)
	start := -1
	for i := 0; i < len(folded); i++ {
		if !classifySeparator[folded[i]] {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			words = append(words, folded[start:i])
			start = -1
		}
	}
	if start >= 0 {
		words = append(words, folded[start:])
	}
	return words
}

// classifySeparator tells, per byte, whether it separates classifyWords'
// words: ASCII but for letters, digits, "'" and "-".
var classifySeparator = func() (t [256]bool) {
	for b := range 0x80 {
		t[b] = !(b >= 'a' && b <= 'z') && !(b >= '0' && b <= '9') && b != '\'' && b != '-'
	}
	return t
}()

// phrase is one lexicon entry, compiled: its category (its index in
// Categories), its words, the last of which is a prefix if stem is set.
type phrase struct {
	id    int
	cat   int
	w     float64
	words []string
	stem  bool
}

// stemPrefix is what a word's prefix tells of one-word stems: the stems
// it is (as a rule one), and whether a longer stem starts with it.
type stemPrefix struct {
	stems  []*phrase
	longer bool
}

// compiled indexes the lexicon so that a text is scored in one pass over
// its words: phrases by their first word, and one-word stems by every
// prefix of them, so that a word's prefixes are looked up only while a
// stem may start with them.
var compiled = func() (c struct {
	byFirst  map[string][]*phrase
	prefixes map[string]stemPrefix
	n        int
	// the length, in bytes, of the shortest stem
	shortestStem int
}) {
	c.byFirst, c.prefixes = map[string][]*phrase{}, map[string]stemPrefix{}
	for i, cat := range Categories {
		for text, w := range lexicon[cat] {
			stem, isStem := strings.CutSuffix(text, "*")
			p := &phrase{id: c.n, cat: i, w: w, words: strings.Split(stem, " "), stem: isStem}
			c.n++
			if isStem && len(p.words) == 1 {
				e := c.prefixes[stem]
				e.stems = append(e.stems, p)
				c.prefixes[stem] = e
				for l := 1; l < len(stem); l++ {
					e := c.prefixes[stem[:l]]
					e.longer = true
					c.prefixes[stem[:l]] = e
				}
				if c.shortestStem == 0 || len(stem) < c.shortestStem {
					c.shortestStem = len(stem)
				}
			} else {
				c.byFirst[p.words[0]] = append(c.byFirst[p.words[0]], p)
			}
		}
	}
	return c
}()

// lexiconScores adds up, per category (in the order of Categories), the
// weights of the lexicon phrases found in words (each phrase once).
func lexiconScores(words []string) []float64 {
	scores := make([]float64, len(Categories))
	seen := make([]bool, compiled.n)
	hit := func(p *phrase) {
		if !seen[p.id] {
			seen[p.id] = true
			scores[p.cat] += p.w
		}
	}
	for i, w := range words {
		for _, p := range compiled.byFirst[w] {
			if phraseAt(words[i:], p) {
				hit(p)
			}
		}
		for l := compiled.shortestStem; l <= len(w); l++ {
			e, ok := compiled.prefixes[w[:l]]
			if !ok {
				break
			}
			for _, p := range e.stems {
				hit(p)
			}
			if !e.longer {
				break
			}
		}
	}
	return scores
}

// phraseAt reports whether p starts at words[0].
func phraseAt(words []string, p *phrase) bool {
	if len(words) < len(p.words) {
		return false
	}
	last := len(p.words) - 1
	for j, pw := range p.words {
		if j == last && p.stem {
			return strings.HasPrefix(words[j], pw)
		}
		if words[j] != pw {
			return false
		}
	}
	return true
}

// Severity weighs a category for signal scores: violence against people
// first.
func Severity(c Category) float64 {
	switch c {
	case Violence, Trafficking, Missing:
		return 5
	case Weapons, Extortion:
		return 4
	case Drugs, Corruption:
		return 3
	}
	return 1
}
